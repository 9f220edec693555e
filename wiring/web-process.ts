import { Client, Connection } from '@temporalio/client';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { createRecordingSmsSender } from '../reports/sms-sender.js';
import { composeWeb } from './composition.js';
import { listenForConfigurationChanges } from './configuration-listener.js';
import { openDataSource } from './database.js';
import { logger } from './logger.js';
import { Shutdown } from './shutdown.js';
import type { WithSettings } from './config.js';

/** Starts the web process on settings its entry point has checked. */
export async function startWeb(
  config: WithSettings<'databaseUrl' | 'temporalAddress' | 'smtpUrl' | 'smsUrl' | 'sessionSecret' | 'supplier'>,
): Promise<void> {
  const shutdown = new Shutdown();
  shutdown.handleSignals();
  try {
    const dataSource = await openDataSource(config.databaseUrl, { directUrl: config.databaseDirectUrl });
    shutdown.add('database pool', () => dataSource.destroy());
    const listener = await listenForConfigurationChanges(dataSource, config.databaseDirectUrl ?? config.databaseUrl, {
      log: (message, error) => logger.warn({ err: error }, message),
    });
    shutdown.add('configuration listener', () => listener.close());
    await openProgramAccounts(dataSource.manager);
    const connection = await Connection.connect({ address: config.temporalAddress });
    shutdown.add('Temporal connection', () => connection.close());
    const client = new Client({ connection, namespace: config.temporalNamespace });
    const mailer = createRecordingMailer(config.smtpUrl, config.mailFrom, dataSource);
    shutdown.add('mailer', () => mailer.close());
    const smsSender = createRecordingSmsSender(config.smsUrl, config.smsFrom, dataSource);
    shutdown.add('SMS sender', () => smsSender.close());
    const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
    const web = await composeWeb(
      { config, dataSource, mailer, smsSender, publicUrl },
      { client, connection },
      { databaseUrl: config.databaseUrl, sessionSecret: config.sessionSecret },
    );
    shutdown.add('back-office sessions', web.closeBackOffice);
    const server = await web.listen(config.port);
    logger.info(`Tessera web listening on port ${config.port}`);
    shutdown.add('HTTP server', () => new Promise((resolve) => server.close(resolve)));
  } catch (error) {
    logger.fatal({ err: error }, 'Tessera web could not start');
    await shutdown.run();
    process.exit(1);
  }
}
