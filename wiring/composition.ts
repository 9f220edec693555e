import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import { createBackOffice } from '../admin/back-office.js';
import { portalRouter } from '../portal/portal-router.js';
import type { RewardSupplier } from '../loyalty/fulfilment/reward-supplier.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import type { Mailer } from '../reports/mailer.js';
import type { SmsSender } from '../reports/sms-sender.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { temporalBoosterWindows } from '../workflows/booster-windows.js';
import { temporalCampaignApprovals } from '../workflows/campaign-approvals.js';
import { temporalCareApprovals } from '../workflows/care-approvals.js';
import { temporalFulfilmentControl } from '../workflows/fulfilment-control.js';
import { productionTiming, temporalProcesses } from '../workflows/process-dispatch.js';
import { registerSchedules } from '../workflows/schedules.js';
import { createWorker } from '../workflows/worker.js';
import type { Config, ReceiptImageSettings } from './config.js';
import type { InboxFolders } from './inbox-page.js';
import { logger } from './logger.js';
import { createWebApp } from './web-app.js';
import { imageFolder } from './receipt-image-folder.js';
import { imageBucket } from './receipt-image-bucket.js';
import { receiptReader } from '../workflows/activities/receipt-ocr.js';

/**
 * The one place the product is assembled from its parts: `npm start` runs both halves in one
 * process on embedded services, `npm run web` and `npm run worker` one half each on given ones.
 */
export interface Foundation {
  config: Config;
  dataSource: DataSource;
  mailer: Mailer;
  /** Text messages (sign-in and spending codes, enrolment) go through it. */
  smsSender: SmsSender;
  publicUrl: string;
}

/** The key members' one-time codes are hashed with: the same in every web process, and not the session secret itself. */
function memberCodeSecret(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('tessera member codes').digest('hex');
}

/** The configured receipt image store: the bucket in production, the folder for `npm start`. */
function receiptImageStore(settings: ReceiptImageSettings) {
  return settings.kind === 's3' ? imageBucket(settings) : imageFolder(settings.dir);
}

/** The HTTP half: partner API, widget, back office, health; schedules registered (a changed spec updates them). */
export async function composeWeb(
  { config, dataSource, mailer, smsSender, publicUrl }: Foundation,
  temporal: { client: Client; connection: Connection },
  options: { databaseUrl: string; sessionSecret: string; inbox?: InboxFolders; demoStore?: boolean; localWebhookAddresses?: boolean },
) {
  const { client, connection } = temporal;
  await registerSchedules(client, config.taskQueue);
  const ledger = new Ledger(dataSource);
  const processes = temporalProcesses({
    client,
    taskQueue: config.taskQueue,
    dataSource,
    timing: productionTiming(config.fulfilmentPollSeconds, config.receiptImageRetentionDays),
  });
  const receiptImages = receiptImageStore(config.receiptImages);
  const fulfilment = temporalFulfilmentControl(client, dataSource);
  const backOffice = createBackOffice({
    dataSource,
    mailer,
    care: {
      ledger,
      approvals: temporalCareApprovals(client),
      campaignApprovals: temporalCampaignApprovals(client),
      boosterWindows: temporalBoosterWindows(client, config.taskQueue),
      fulfilment,
      processes,
      receiptImages,
    },
    databaseUrl: options.databaseUrl,
    sessionSecret: options.sessionSecret,
    publicUrl,
    localWebhookAddresses: options.localWebhookAddresses,
  });
  const codes = { secret: memberCodeSecret(options.sessionSecret), messenger: createCodeMessenger(mailer, smsSender) };
  const portal = portalRouter({
    dataSource,
    codes,
    publicUrl,
    ledger,
    processes,
    receiptImages,
    logFault: (error, path) => logger.error({ err: error, path }, 'member page failed'),
  });
  const app = createWebApp({
    backOffice: backOffice.router,
    portal,
    api: {
      dataSource,
      ledger,
      processes,
      memberCodes: codes,
      receiptImages,
    },
    health: {
      database: () => dataSource.query('SELECT 1'),
      temporal: () => connection.healthService.check({}),
      smtp: () => mailer.verify(),
      sms: () => smsSender.verify(),
    },
    inbox: options.inbox,
    demoStore: options.demoStore,
    supplierCallback: config.supplier?.kind === 'http' ? { dataSource, ledger, secret: config.supplier.secret, fulfilment } : undefined,
    trustProxy: config.trustProxy,
  });
  return {
    app,
    closeBackOffice: () => backOffice.close(),
    listen: (port: number) =>
      new Promise<Server>((resolve, reject) => {
        const server = app.listen(port, () => resolve(server));
        server.once('error', reject);
      }),
  };
}

/** The durable half: the Temporal worker with every workflow and activity, fulfilling through `supplier`. */
export function composeWorker(
  { config, dataSource, mailer, smsSender, publicUrl }: Foundation,
  connection: NativeConnection,
  supplier: RewardSupplier,
): Promise<Worker> {
  return createWorker({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    dataSource,
    mailer,
    smsSender,
    operatorEmail: config.operatorEmail,
    supplier,
    publicUrl,
    processTiming: productionTiming(config.fulfilmentPollSeconds, config.receiptImageRetentionDays),
    receiptImages: receiptImageStore(config.receiptImages),
    receiptReader: receiptReader(),
  });
}
