import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createRecordingMailer } from '../reports/mailer.js';
import { createRecordingSmsSender } from '../reports/sms-sender.js';
import { composeWorker } from './composition.js';
import { openDataSource } from './database.js';
import { logger } from './logger.js';
import { rewardSupplier } from './reward-supplier.js';
import { Shutdown } from './shutdown.js';
import type { WithSettings } from './config.js';

/** Starts the worker process on settings its entry point has checked. */
export async function startWorker(
  config: WithSettings<'databaseUrl' | 'temporalAddress' | 'smtpUrl' | 'smsUrl' | 'supplier'>,
): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const shutdown = new Shutdown();
  shutdown.handleSignals();
  try {
    const dataSource = await openDataSource(config.databaseUrl, { directUrl: config.databaseDirectUrl, migrate: false });
    shutdown.add('database pool', () => dataSource.destroy());
    const mailer = createRecordingMailer(config.smtpUrl, config.mailFrom, dataSource);
    shutdown.add('mailer', () => mailer.close());
    const smsSender = createRecordingSmsSender(config.smsUrl, config.smsFrom, dataSource);
    shutdown.add('SMS sender', () => smsSender.close());
    const connection = await NativeConnection.connect({ address: config.temporalAddress });
    shutdown.add('Temporal connection', () => connection.close());
    const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
    if (config.supplier.kind === 'fake')
      logger.warn('REWARD_SUPPLIER=fake: rewards are marked shipped by a stand-in, for demos and tests only');
    const worker = await composeWorker(
      { config, dataSource, mailer, smsSender, publicUrl },
      connection,
      rewardSupplier(config.supplier, config),
    );
    const run = worker.run();
    shutdown.add('Temporal worker', async () => {
      worker.shutdown();
      await run;
    });
    logger.info(`Tessera worker polling task queue ${config.taskQueue}, fulfilling through the ${config.supplier.kind} supplier`);
    await run;
  } catch (error) {
    logger.fatal({ err: error }, 'Tessera worker could not start');
    await shutdown.run();
    process.exit(1);
  }
}
