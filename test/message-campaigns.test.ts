import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, MessageCampaign, MessageCampaignRecipient, Segment } from '../entities/index.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { messageCampaignResults } from '../loyalty/messaging/message-campaign-results.js';
import {
  cancelMessageCampaign,
  inHoldout,
  MessageCampaignRefusedError,
  scheduleMessageCampaign,
  updateMessageCampaign,
  type MessageCampaignForm,
} from '../loyalty/messaging/message-campaigns.js';
import { queuedBy } from '../loyalty/outbox.js';
import { updateMemberProfile } from '../loyalty/member-preferences.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { readSmsInbox } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { messageCampaignWorkflow } from '../workflows/message-campaign.workflow.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * A message campaign to a segment, end to end: scheduled through the outbox, run by the real worker
 * on Temporal's time-skipping server (so a member's night passes in seconds), emails into the real
 * SMTP sink, texts into the SMPP sink, opens and clicks over the real HTTP endpoints.
 */
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
let web: { url: string; close: () => Promise<void> };
let client: Client;
let partnerId: string;

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'message-campaigns-test');
  p = await createProgram(harness.db.dataSource);
  partnerId = (await p.partner(1_000)).partner.id;
  web = await listen(
    createWebApp({ health: {}, api: { dataSource: harness.db.dataSource, ledger: p.ledger, processes: harness.processes } }),
  );
  client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
  // Time moves only while the test waits for a workflow's result.
  await harness.env.connection.testService!.lockTimeSkipping({});
}, 120_000);
afterAll(async () => {
  await web?.close();
  await harness?.stop();
});

const db = () => harness.db.dataSource;
const mailTo = async (address: string) => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(address));
const onTestServer = (link: string) => `${web.url}${new URL(link).pathname}`;
const wallClock = (at: Date) => at.toISOString().slice(0, 16);

/** An Etc/GMT zone whose hour at `at` falls in [from, to): Etc/GMT-6 is six hours ahead of UTC. */
function zoneAtHour(at: Date, from: number, to: number): string {
  for (let ahead = -12; ahead <= 14; ahead++) {
    const hour = (at.getUTCHours() + ahead + 24) % 24;
    if (hour >= from && hour < to) return ahead === 0 ? 'Etc/UTC' : `Etc/GMT${ahead > 0 ? '-' : '+'}${Math.abs(ahead)}`;
  }
  throw new Error('no such zone');
}

async function schedule(form: MessageCampaignForm, now: Date) {
  const { campaign, queued } = await inTransaction(db(), async (manager) => {
    const campaign = await scheduleMessageCampaign(manager, form, 'operator@tessera.test', now);
    return { campaign, queued: queuedBy(manager) };
  });
  await harness.processes.dispatch(queued);
  return campaign;
}

const memberOf = (id: string) => db().manager.findOneByOrFail(Member, { id });

describe('a message campaign', () => {
  it('emails opted-in members outside the holdout once each, holds one in their night until 09:00, and counts who came back', async () => {
    const now = new Date(await harness.env.currentTimeMs());
    const segment = await db().manager.save(
      db().manager.create(Segment, { name: 'Born in July', conditions: { birthdayMonth: 7 }, createdBy: 'test' }),
    );
    const sendAt = new Date(Math.ceil(now.getTime() / 60_000) * 60_000 + 120_000);
    const campaign = await schedule(
      {
        name: 'We miss you',
        segmentId: segment.id,
        channel: 'email',
        subject: 'Come back for double points',
        body: 'Double points this week: https://shop.example/offer. Our stores: https://shop.example/stores',
        sendAt: wallClock(sendAt),
        timeZone: 'UTC',
        ratePerMinute: '2',
        holdoutPercent: '50',
        returnWindowDays: '7',
      },
      now,
    );

    // Members born in July, given their parts by the campaign's own holdout draw.
    const dayZone = zoneAtHour(sendAt, 11, 18);
    const nightZone = zoneAtHour(sendAt, 1, 6);
    const roles: Record<'held' | 'day1' | 'day2' | 'day3' | 'optedOut' | 'night', Member | undefined> = {
      held: undefined,
      day1: undefined,
      day2: undefined,
      day3: undefined,
      optedOut: undefined,
      night: undefined,
    };
    for (let i = 0; Object.values(roles).some((m) => !m); i++) {
      const { member } = await p.member(`mc-${i}`);
      const holdout = inHoldout(campaign.id, member.id, 50);
      const role = holdout
        ? roles.held
          ? undefined
          : 'held'
        : (Object.keys(roles) as (keyof typeof roles)[]).find((r) => r !== 'held' && !roles[r]);
      if (!role) continue;
      await db().manager.update(
        Member,
        { id: member.id },
        {
          birthday: '1990-07-14',
          email: `${role}@example.test`,
          emailVerifiedAt: now,
          timeZone: role === 'night' ? nightZone : dayZone,
        },
      );
      if (role === 'optedOut') await updateMemberProfile(db().manager, member.id, { preferences: { marketing: { email: false } } });
      roles[role] = await memberOf(member.id);
    }

    // A day passes on Temporal's clock: the send, a batch a minute, the night member's night.
    await harness.env.sleep('1 day');
    expect(await client.workflow.getHandle(workflowIds.messageCampaign(campaign.id)).result()).toBe('sent');

    // Sent to the three day members and, at 09:00 of their day, the night one; not to the holdout nor the one who opted out.
    for (const role of ['day1', 'day2', 'day3', 'night'] as const) expect(await mailTo(`${role}@example.test`), role).toHaveLength(1);
    for (const role of ['held', 'optedOut'] as const) expect(await mailTo(`${role}@example.test`), role).toEqual([]);
    const recipients = await db().manager.find(MessageCampaignRecipient, { where: { campaignId: campaign.id } });
    const byMember = (m: Member | undefined) => recipients.find((r) => r.memberId === m!.id)!;
    expect(byMember(roles.held)).toMatchObject({ holdout: true, status: 'held_back', sentAt: null });
    expect(byMember(roles.optedOut)).toMatchObject({ status: 'not_sent' });
    const night = byMember(roles.night);
    expect(night.status).toBe('sent');
    // 09:00 in the night member's zone, after the day members' send.
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: nightZone, hour: '2-digit', minute: '2-digit' }).format(night.sentAt!);
    expect(local).toBe('09:00');
    // Two a minute: the third day member went a minute after the first two.
    const daySends = (['day1', 'day2', 'day3'] as const).map((r) => byMember(roles[r]).sentAt!.getTime()).sort();
    expect(daySends[2]! - daySends[0]!).toBeGreaterThanOrEqual(60_000);

    // Restarted (a second run of the workflow for the same campaign): nobody gets it twice.
    const rerun = await client.workflow.start(messageCampaignWorkflow, {
      taskQueue: harness.taskQueue,
      workflowId: `${workflowIds.messageCampaign(campaign.id)}-rerun`,
      args: [{ campaignId: campaign.id, sendAt: campaign.sendAt.toISOString() }],
    });
    await harness.env.sleep('1 minute');
    expect(await rerun.result()).toBe('sent');
    for (const role of ['day1', 'day2', 'day3', 'night'] as const) expect(await mailTo(`${role}@example.test`), role).toHaveLength(1);

    // The email's pixel and links go through Tessera, signed for this member; a click leads to the campaign's own link.
    const [mail] = await mailTo('day1@example.test');
    const pixel = /src="([^"]+\/m\/o\/[A-Za-z0-9_-]+)"/.exec(mail!.html ?? '')![1]!;
    const links = [...mail!.text.matchAll(/http:\/\/localhost:3000\/m\/c\/[A-Za-z0-9_-]+/g)].map((m) => m[0]);
    expect(links).toHaveLength(2);
    expect(mail!.text).not.toContain('https://shop.example');
    const opened = await fetch(onTestServer(pixel));
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/gif');
    const clicked = await fetch(onTestServer(links[1]!), { redirect: 'manual' });
    expect(clicked.status).toBe(302);
    expect(clicked.headers.get('location')).toBe('https://shop.example/stores');
    // A forged or altered token is a plain 404, and records nothing.
    const token = new URL(links[0]!).pathname.split('/').pop()!;
    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const path of [`/m/c/${altered}`, '/m/c/not-a-token', `/m/o/${token}`, `/m/x/${token}`]) {
      const refused = await fetch(`${web.url}${path}`, { redirect: 'manual' });
      expect(refused.status, path).toBe(404);
      expect(await refused.text()).toBe('Not found');
    }

    // day1 and one of the holdout came back within the window; day2 only after it.
    const sentAt = byMember(roles.day1).sentAt!;
    const event = (memberId: string, at: Date) =>
      db().query(
        `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points) VALUES ($1, $2, 'c', 'visit', $3, 0)`,
        [partnerId, memberId, at],
      );
    await event(roles.day1!.id, new Date(sentAt.getTime() + 3_600_000));
    await event(roles.held!.id, new Date(sentAt.getTime() + 7_200_000));
    await event(roles.day2!.id, new Date(byMember(roles.day2).sentAt!.getTime() + 8 * 86_400_000));
    expect(await messageCampaignResults(db().manager, campaign.id)).toEqual({
      audience: 6,
      holdout: 1,
      sent: 4,
      failed: 0,
      notSent: 1,
      waiting: 0,
      opened: 1,
      clicked: 1,
      cameBack: 1,
      holdoutCameBack: 1,
    });
    expect(await db().manager.findOneByOrFail(MessageCampaign, { id: campaign.id })).toMatchObject({ status: 'sent' });
  }, 120_000);

  it('texts a segment by SMS with the stop link, and sends nothing once cancelled before its time', async () => {
    const now = new Date(await harness.env.currentTimeMs());
    const segment = await db().manager.save(
      db().manager.create(Segment, { name: 'Born in March', conditions: { birthdayMonth: 3 }, createdBy: 'test' }),
    );
    const { member } = await p.member('mc-sms');
    await db().manager.update(
      Member,
      { id: member.id },
      {
        birthday: '1985-03-02',
        phone: '+33612345699',
        phoneVerifiedAt: now,
        timeZone: zoneAtHour(now, 10, 18),
      },
    );
    // Offers and news by text are off until the member turns them on.
    await updateMemberProfile(db().manager, member.id, { preferences: { marketing: { sms: true } } });
    const form = {
      name: 'Spring',
      segmentId: segment.id,
      channel: 'sms',
      body: 'Spring offers at https://shop.example/spring',
      sendAt: wallClock(new Date(now.getTime() + 120_000)),
      timeZone: 'UTC',
      ratePerMinute: '10',
      holdoutPercent: '0',
      returnWindowDays: '3',
    };
    const cancelled = await schedule({ ...form, name: 'Spring (cancelled)' }, now);
    await inTransaction(db(), (manager) => cancelMessageCampaign(manager, cancelled.id));
    await harness.env.sleep('10 minutes');
    expect(await client.workflow.getHandle(workflowIds.messageCampaign(cancelled.id)).result()).toBe('cancelled');
    expect(await db().manager.countBy(MessageCampaignRecipient, { campaignId: cancelled.id })).toBe(0);

    const sent = await schedule({ ...form, sendAt: wallClock(new Date(now.getTime() + 240_000)) }, now);
    expect(await client.workflow.getHandle(workflowIds.messageCampaign(sent.id)).result()).toBe('sent');
    const texts = (await readSmsInbox(harness.smsSink.directory)).filter((sms) => sms.to === '+33612345699');
    expect(texts).toHaveLength(1);
    expect(texts[0]!.text).toMatch(/^Spring offers at https:\/\/shop\.example\/spring Stop: http:\/\/localhost:3000\/unsubscribe\?t=/);
    await expect(inTransaction(db(), (manager) => cancelMessageCampaign(manager, sent.id))).rejects.toThrow(/cannot be cancelled/);
  }, 60_000);

  it('sends at the time it has after every change: moved later, then back sooner (still after its first time)', async () => {
    const now = new Date(await harness.env.currentTimeMs());
    const minute = Math.ceil(now.getTime() / 60_000) * 60_000;
    const at = (minutes: number) => new Date(minute + minutes * 60_000);
    const segment = await db().manager.save(
      db().manager.create(Segment, { name: 'Born in April', conditions: { birthdayMonth: 4 }, createdBy: 'test' }),
    );
    const { member } = await p.member('mc-moved');
    await db().manager.update(
      Member,
      { id: member.id },
      { birthday: '1990-04-12', phone: '+33612345698', phoneVerifiedAt: now, timeZone: zoneAtHour(now, 10, 16) },
    );
    await updateMemberProfile(db().manager, member.id, { preferences: { marketing: { sms: true } } });
    const form = {
      name: 'April',
      segmentId: segment.id,
      channel: 'sms',
      body: 'April offers at https://shop.example/april',
      sendAt: wallClock(at(2)),
      timeZone: 'UTC',
      ratePerMinute: '10',
      holdoutPercent: '0',
      returnWindowDays: '3',
    };
    const campaign = await schedule(form, now);
    const move = async (minutes: number, wake: 'after the commit' | 'by the sweep') => {
      const current = new Date(await harness.env.currentTimeMs());
      const queued = await inTransaction(db(), async (manager) => {
        await updateMessageCampaign(manager, campaign.id, { ...form, sendAt: wallClock(at(minutes)) }, current);
        return queuedBy(manager);
      });
      if (wake === 'after the commit') await harness.processes.dispatch(queued);
      else await harness.processes.dispatchQueued();
    };
    await move(30, 'after the commit');
    // Past its first time, it waits for the later one; staff bring it back to 10 minutes after the start,
    // and the web process dies before waking it: the outbox's sweep wakes it.
    await harness.env.sleep('4 minutes');
    await move(10, 'by the sweep');
    // The test environment's client lets time run while it waits for the result.
    expect(await harness.env.client.workflow.getHandle(workflowIds.messageCampaign(campaign.id)).result()).toBe('sent');
    const [recipient] = await db().manager.findBy(MessageCampaignRecipient, { campaignId: campaign.id });
    expect(recipient).toMatchObject({ memberId: member.id, status: 'sent' });
    expect(recipient!.sentAt!.getTime()).toBeGreaterThanOrEqual(at(10).getTime());
    expect(recipient!.sentAt!.getTime()).toBeLessThan(at(11).getTime());
    expect((await readSmsInbox(harness.smsSink.directory)).filter((sms) => sms.to === '+33612345698')).toHaveLength(1);
  }, 60_000);

  it('refuses a form naming each wrong field, and saves nothing', async () => {
    const before = await db().manager.count(MessageCampaign);
    const refusal = await inTransaction(db(), (manager) =>
      scheduleMessageCampaign(
        manager,
        {
          name: '',
          segmentId: 'x',
          channel: 'fax',
          body: '',
          sendAt: '2020-01-01T10:00',
          ratePerMinute: '0',
          holdoutPercent: '95',
          returnWindowDays: 'a week',
        },
        'test',
      ),
    ).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(MessageCampaignRefusedError);
    expect((refusal as MessageCampaignRefusedError).details).toEqual({
      problems: {
        name: 'give the campaign a name',
        segmentId: 'choose a segment from the list',
        channel: 'choose email or SMS',
        body: 'write the message',
        sendAt: 'this time has passed',
        ratePerMinute: 'a whole number of messages per minute, at least 1',
        holdoutPercent: 'a whole percentage from 0 to 90',
        returnWindowDays: 'a whole number of days from 1 to 365',
      },
    });
    expect(await db().manager.count(MessageCampaign)).toBe(before);
  });
});
