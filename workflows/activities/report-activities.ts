import { Context } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import { Partner } from '../../entities/index.js';
import { refreshDailyFigures } from '../../reports/daily-figures.js';
import type { Mailer } from '../../reports/mailer.js';
import { buildReport, type ReportPeriod } from '../../reports/partner-report.js';

/** Thin calls for the scheduled reports: who gets one, one report sent, and the daily figures brought up to date. */
export function createReportActivities({
  dataSource,
  mailer,
  operatorEmail,
}: {
  dataSource: DataSource;
  mailer: Mailer;
  operatorEmail: string;
}) {
  return {
    async reportRecipients(): Promise<{ partnerId: string | null; to: string }[]> {
      const partners = await dataSource.manager.find(Partner, { order: { code: 'ASC' } });
      return [
        ...partners.filter((p) => p.contactEmail).map((p) => ({ partnerId: p.id, to: p.contactEmail! })),
        { partnerId: null, to: operatorEmail },
      ];
    },
    async refreshDailyFigures(): Promise<number> {
      const context = Context.current();
      const alive = setInterval(() => context.heartbeat(), 5_000);
      try {
        return (await refreshDailyFigures(dataSource)).rows;
      } finally {
        clearInterval(alive);
      }
    },
    async sendReport(recipient: { partnerId: string | null; to: string }, period: ReportPeriod): Promise<void> {
      await mailer.send(await buildReport(dataSource, { partnerId: recipient.partnerId ?? undefined, period, to: recipient.to }));
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
