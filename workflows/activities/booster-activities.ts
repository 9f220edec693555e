import type { DataSource } from 'typeorm';
import { Context } from '@temporalio/activity';
import { boosterAudience, boosterResults, recordBoosterAnnouncement, setBoosterActive } from '../../loyalty/booster-windows.js';
import type { Mailer } from '../../reports/mailer.js';
import type { MemberMessenger } from '../../reports/member-messenger.js';

const number = new Intl.NumberFormat('en');

/**
 * Thin calls for a booster's window: switch, announce (each member once, even across retries, to
 * those who did not turn offers off), summarise.
 */
export function createBoosterActivities({
  dataSource,
  mailer,
  messenger,
  operatorEmail,
}: {
  dataSource: DataSource;
  mailer: Mailer;
  messenger: MemberMessenger;
  operatorEmail: string;
}) {
  return {
    setBoosterActive(boosterId: string, active: boolean): Promise<boolean> {
      return setBoosterActive(dataSource, boosterId, active);
    },
    async announceBooster(boosterId: string): Promise<number> {
      const audience = await boosterAudience(dataSource, boosterId);
      const until = audience.validTo ? ` until ${audience.validTo.toISOString().slice(0, 10)}` : '';
      for (const member of audience.members) {
        await messenger.send(member.id, 'marketing', {
          channel: 'email',
          subject: `${audience.name}: ×${audience.coefficient} points${until}`,
          text: `Earn ${audience.coefficient} times the points${until}: ${audience.name}.\n\nTessera`,
        });
        await recordBoosterAnnouncement(dataSource, boosterId, member.id);
        Context.current().heartbeat();
      }
      return audience.members.length;
    },
    async summariseBooster(boosterId: string): Promise<{ points: number; members: number }> {
      const results = await boosterResults(dataSource, boosterId);
      await mailer.send({
        to: operatorEmail,
        subject: `Booster "${results.name}" ended: ${number.format(results.points)} points to ${results.members} members`,
        text: `The booster "${results.name}" awarded ${number.format(results.points)} extra points to ${results.members} members during its window.`,
      });
      return { points: results.points, members: results.members };
    },
  };
}

export type BoosterActivities = ReturnType<typeof createBoosterActivities>;
