import type { DataSource } from 'typeorm';
import { dueFundingAlerts, recordFundingAlert, type FundingAlertDue } from '../../loyalty/funding-alerts.js';
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
      const stillDue = (await dueFundingAlerts(dataSource)).some((due) => due.partnerId === alert.partnerId && due.level === alert.level);
      if (!stillDue) return false;
      if (alert.contactEmail) await mailer.send(fundingAlertEmail(alert));
      return (await recordFundingAlert(dataSource, alert)) && !!alert.contactEmail;
    },
  };
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
