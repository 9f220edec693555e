import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createDataSource } from '../entities/data-source.js';
import { FakeRewardSupplier } from '../loyalty/fulfilment/reward-supplier.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { composeWorker } from './composition.js';
import { loadConfig, requireProductionSettings } from './config.js';
import { logger } from './logger.js';
import { Shutdown } from './shutdown.js';

/** Production worker process: runs the workflows and activities; the web process migrates. */
const config = requireProductionSettings(loadConfig(), {
  databaseUrl: 'DATABASE_URL',
  temporalAddress: 'TEMPORAL_ADDRESS',
  smtpUrl: 'SMTP_URL',
});
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
const shutdown = new Shutdown();
shutdown.handleSignals();
try {
  const dataSource = createDataSource({ url: config.databaseUrl });
  await dataSource.initialize();
  shutdown.add('database pool', () => dataSource.destroy());
  const mailer = createRecordingMailer(config.smtpUrl, config.mailFrom, dataSource);
  shutdown.add('mailer', () => mailer.close());
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
  shutdown.add('Temporal connection', () => connection.close());
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const worker = await composeWorker({ config, dataSource, mailer, publicUrl }, connection, new FakeRewardSupplier(config.fakeSupplier));
  const run = worker.run();
  shutdown.add('Temporal worker', async () => {
    worker.shutdown();
    await run;
  });
  logger.info(`Tessera worker polling task queue ${config.taskQueue}`);
  await run;
} catch (error) {
  logger.fatal({ err: error }, 'Tessera worker could not start');
  await shutdown.run();
  process.exit(1);
}
