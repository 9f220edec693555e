import type { DataSource } from 'typeorm';
import { StaffUser } from '../../entities/index.js';
import { approveAdjustment, closeAdjustment, type ApprovalOutcome } from '../../loyalty/care-adjustments.js';
import type { Ledger } from '../../loyalty/ledger/ledger.js';
import type { Mailer } from '../../reports/mailer.js';

export interface CareActivityDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  mailer: Mailer;
  publicUrl: string;
}

/** Thin, idempotent calls for the care approval workflow. */
export function createCareActivities({ dataSource, ledger, mailer, publicUrl }: CareActivityDependencies) {
  return {
    approveCareAdjustment(adjustmentId: string, approvedBy: string): Promise<ApprovalOutcome> {
      return approveAdjustment(dataSource, ledger, adjustmentId, approvedBy);
    },

    async closeCareAdjustment(adjustmentId: string, status: 'rejected' | 'expired', by: string | null, outcome: string): Promise<void> {
      await closeAdjustment(dataSource, adjustmentId, status, by, outcome);
    },

    async remindSupervisors(adjustmentId: string): Promise<number> {
      const supervisors = await dataSource.manager.findBy(StaffUser, { role: 'care_supervisor' });
      for (const supervisor of supervisors) {
        await mailer.send({
          to: supervisor.email,
          subject: 'A care adjustment is waiting for your approval',
          text: `Please approve or reject it: ${publicUrl}/admin/resources/CareAdjustment/records/${adjustmentId}/show`,
        });
      }
      return supervisors.length;
    },
  };
}

export type CareActivities = ReturnType<typeof createCareActivities>;
