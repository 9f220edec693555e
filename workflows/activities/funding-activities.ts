import type { DataSource } from 'typeorm';
import { dueFundingAlerts, fundingAlertRecorded, recordFundingAlert, type FundingAlertDue } from '../../loyalty/funding-alerts.js';
import { fundingAlertEmail } from '../../reports/funding-email.js';
import type { Mailer } from '../../reports/mailer.js';

/**
 * Thin calls for the funding alerts. Sent, then recorded: an email that fails (the mail server
 * down) is sent again by the retry, never lost; only a crash between the two may repeat one.
 */
export function createFundingActivities({ dataSource, mailer }: { dataSource: DataSource; mailer: Mailer }) {
  return {
    findFundingAlerts(): Promise<FundingAlertDue[]> {
      return dueFundingAlerts(dataSource);
    },
    async sendFundingAlert(alert: FundingAlertDue): Promise<boolean> {
      if (await fundingAlertRecorded(dataSource, alert)) return false;
      if (alert.contactEmail) await mailer.send(fundingAlertEmail(alert));
      await recordFundingAlert(dataSource, alert);
      return !!alert.contactEmail;
    },
  };
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
