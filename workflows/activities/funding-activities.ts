import type { DataSource } from 'typeorm';
import { dueFundingAlerts, recordFundingAlert, type FundingAlertDue } from '../../loyalty/funding-alerts.js';
import { fundingAlertEmail } from '../../reports/funding-email.js';
import type { Mailer } from '../../reports/mailer.js';

/** Thin calls for the funding alerts: the alert is recorded first, so it is sent at most once. */
export function createFundingActivities({ dataSource, mailer }: { dataSource: DataSource; mailer: Mailer }) {
  return {
    findFundingAlerts(): Promise<FundingAlertDue[]> {
      return dueFundingAlerts(dataSource);
    },
    async sendFundingAlert(alert: FundingAlertDue): Promise<boolean> {
      if (!(await recordFundingAlert(dataSource, alert)) || !alert.contactEmail) return false;
      await mailer.send(fundingAlertEmail(alert));
      return true;
    },
  };
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
