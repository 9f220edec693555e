import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { Ledger } from '../loyalty/ledger/ledger.js';
import type { Mailer } from '../reports/mailer.js';
import { createMemberMessenger } from '../reports/member-messenger.js';
import type { SmsSender } from '../reports/sms-sender.js';
import { createBirthdayActivities } from './activities/birthday-activities.js';
import { createBoosterActivities } from './activities/booster-activities.js';
import { createCareActivities } from './activities/care-activities.js';
import { createExpiryActivities } from './activities/expiry-activities.js';
import { createFundingActivities } from './activities/funding-activities.js';
import { createReactivationActivities } from './activities/reactivation-activities.js';
import { createReportActivities } from './activities/report-activities.js';
import { createWebhookActivities } from './activities/webhook-activities.js';
import { createFulfilmentActivities } from './activities/fulfilment-activities.js';
import type { RewardSupplier } from '../loyalty/fulfilment/reward-supplier.js';
import { createLedgerActivities } from './activities/ledger-activities.js';
import { createHoldActivities } from './activities/hold-activities.js';
import { createOutboxActivities } from './activities/outbox-activities.js';
import { createCampaignActivities } from './activities/campaign-activities.js';
import { createMemberMessageActivities } from './activities/member-message-activities.js';
import { createMessageCampaignActivities } from './activities/message-campaign-activities.js';
import { createStaffInvitationActivities } from './activities/staff-invitation-activities.js';
import { refusalsAreFinal } from './activities/refusals-are-final.js';
import { createSettlementActivities } from './activities/settlement-activities.js';
import { createPartitionActivities } from './activities/partition-activities.js';
import { createChallengeActivities } from './activities/challenge-activities.js';
import { createBadgeActivities } from './activities/badge-activities.js';
import { createLeaderboardActivities } from './activities/leaderboard-activities.js';
import { createReceiptActivities } from './activities/receipt-activities.js';
import type { ReceiptReader } from './activities/receipt-ocr.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';
import type { ProcessTiming } from './process-dispatch.js';

export const workflowsPath = fileURLToPath(new URL('./index.ts', import.meta.url));

export interface WorkerDependencies {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dataSource: DataSource;
  mailer: Mailer;
  /** Members' welcome and birthday texts go through it. */
  smsSender: SmsSender;
  operatorEmail: string;
  /** Base of the links put in emails and texts. */
  publicUrl?: string;
  /** Where rewards are ordered (the fake supplier until real ones are connected). */
  supplier: RewardSupplier;
  /** Where receipt images are kept until their retention ends. */
  receiptImages: ImageStore;
  /** The OCR of receipts (one engine per process: its owner closes it). */
  receiptReader: ReceiptReader;
  /** How the processes the outbox sweep starts wait and retry. */
  processTiming: ProcessTiming;
  /** A prebuilt bundle (tests build it once); otherwise the worker bundles the workflows itself. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}

export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** The Temporal worker: the workflows, and activities wired to the database and mail. */
export async function createWorker(deps: WorkerDependencies): Promise<Worker> {
  const ledger = new Ledger(deps.dataSource);
  const publicUrl = deps.publicUrl ?? 'http://localhost:3000';
  const messenger = createMemberMessenger({ dataSource: deps.dataSource, mailer: deps.mailer, sms: deps.smsSender, publicUrl });
  const activities = refusalsAreFinal({
    ...createLedgerActivities({ dataSource: deps.dataSource, mailer: deps.mailer, operatorEmail: deps.operatorEmail }),
    ...createExpiryActivities({ dataSource: deps.dataSource, ledger, mailer: deps.mailer, messenger, operatorEmail: deps.operatorEmail }),
    ...createFundingActivities({ dataSource: deps.dataSource, mailer: deps.mailer }),
    ...createBoosterActivities({ dataSource: deps.dataSource, mailer: deps.mailer, messenger, operatorEmail: deps.operatorEmail }),
    ...createReactivationActivities({
      dataSource: deps.dataSource,
      ledger,
      mailer: deps.mailer,
      messenger,
      operatorEmail: deps.operatorEmail,
    }),
    ...createBirthdayActivities({ dataSource: deps.dataSource, ledger, mailer: deps.mailer, operatorEmail: deps.operatorEmail }),
    ...createMemberMessageActivities({ dataSource: deps.dataSource, messenger, publicUrl }),
    ...createMessageCampaignActivities({ dataSource: deps.dataSource, messenger, publicUrl }),
    ...createCampaignActivities({ dataSource: deps.dataSource, mailer: deps.mailer, operatorEmail: deps.operatorEmail, publicUrl }),
    ...createStaffInvitationActivities({ dataSource: deps.dataSource, mailer: deps.mailer, publicUrl }),
    ...createWebhookActivities({ dataSource: deps.dataSource }),
    ...createOutboxActivities({ dataSource: deps.dataSource, timing: deps.processTiming }),
    ...createHoldActivities({ dataSource: deps.dataSource, ledger, supplier: deps.supplier }),
    ...createSettlementActivities({ dataSource: deps.dataSource, mailer: deps.mailer }),
    ...createReportActivities({ dataSource: deps.dataSource, mailer: deps.mailer, operatorEmail: deps.operatorEmail }),
    ...createPartitionActivities({ dataSource: deps.dataSource }),
    ...createChallengeActivities({ dataSource: deps.dataSource, ledger, timing: deps.processTiming }),
    ...createBadgeActivities({ dataSource: deps.dataSource, timing: deps.processTiming }),
    ...createLeaderboardActivities({ dataSource: deps.dataSource, ledger, timing: deps.processTiming }),
    ...createReceiptActivities({
      dataSource: deps.dataSource,
      ledger,
      images: deps.receiptImages,
      reader: deps.receiptReader,
      timing: deps.processTiming,
    }),
    ...createFulfilmentActivities({ dataSource: deps.dataSource, ledger, mailer: deps.mailer, supplier: deps.supplier }),
    ...createCareActivities({
      dataSource: deps.dataSource,
      ledger,
      mailer: deps.mailer,
      publicUrl,
    }),
  });
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    activities,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath }),
  });
}
