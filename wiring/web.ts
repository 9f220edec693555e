import { Client, Connection } from '@temporalio/client';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { registerSchedules } from '../workflows/schedules.js';
import { loadConfig, requireSettings } from './config.js';
import { openDataSource } from './database.js';
import { logger } from './logger.js';
import { Shutdown } from './shutdown.js';
import { createWebApp } from './web-app.js';
import { createBackOffice } from '../admin/back-office.js';
import { temporalCareApprovals } from '../workflows/care-approvals.js';
import { temporalBoosterWindows } from '../workflows/booster-windows.js';
import { temporalFulfilment } from '../workflows/fulfilment-starter.js';
import { temporalWebhooks } from '../workflows/webhook-dispatch.js';
import { Ledger } from '../loyalty/ledger/ledger.js';

/** Production web process: HTTP (API, back office, health). Migrates the schema at start. */
const config = requireSettings(loadConfig(), {
  databaseUrl: 'DATABASE_URL',
  temporalAddress: 'TEMPORAL_ADDRESS',
  smtpUrl: 'SMTP_URL',
  sessionSecret: 'SESSION_SECRET',
});
const shutdown = new Shutdown();
shutdown.handleSignals();
try {
  const dataSource = await openDataSource(config.databaseUrl);
  shutdown.add('database pool', () => dataSource.destroy());
  await openProgramAccounts(dataSource.manager);
  const connection = await Connection.connect({ address: config.temporalAddress });
  shutdown.add('Temporal connection', () => connection.close());
  const client = new Client({ connection, namespace: config.temporalNamespace });
  await registerSchedules(client, config.taskQueue);
  const mailer = createRecordingMailer(config.smtpUrl, config.mailFrom, dataSource);
  shutdown.add('mailer', () => mailer.close());
  const ledger = new Ledger(dataSource);
  const fulfilment = temporalFulfilment(client, config.taskQueue, {
    pollEvery: `${config.fulfilmentPollSeconds} seconds`,
    giveUpAfter: '14 days',
  });
  const backOffice = createBackOffice({
    dataSource,
    mailer,
    care: {
      ledger,
      approvals: temporalCareApprovals(client, config.taskQueue),
      boosterWindows: temporalBoosterWindows(client, config.taskQueue),
      fulfilment,
    },
    databaseUrl: config.databaseUrl,
    sessionSecret: config.sessionSecret,
    publicUrl: config.publicUrl,
  });
  shutdown.add('back-office sessions', () => backOffice.close());
  const app = createWebApp({
    backOffice: backOffice.router,
    api: { dataSource, ledger, webhooks: temporalWebhooks({ client, taskQueue: config.taskQueue, dataSource }), fulfilment },
    health: {
      database: () => dataSource.query('SELECT 1'),
      temporal: () => connection.healthService.check({}),
      smtp: () => mailer.verify(),
    },
  });
  const server = app.listen(config.port, () => logger.info(`Tessera web listening on port ${config.port}`));
  shutdown.add('HTTP server', () => new Promise((resolve) => server.close(resolve)));
} catch (error) {
  logger.fatal({ err: error }, 'Tessera web could not start');
  await shutdown.run();
  process.exit(1);
}
