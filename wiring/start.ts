import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import { createRecordingMailer } from '../reports/mailer.js';
import { createRecordingSmsSender } from '../reports/sms-sender.js';
import { composeWeb, composeWorker } from './composition.js';
import { developmentSessionSecret, loadConfig } from './config.js';
import { listenForConfigurationChanges } from './configuration-listener.js';
import { openDataSource, provideDatabase } from './database.js';
import { demoApiKeys, demoLogins, demoMember, demoPassword, isSeeded, seedDemoProgram } from './demo-program.js';
import { startMailSink } from './embedded/mail-sink.js';
import { startSmsSink } from './embedded/sms-sink.js';
import { startTemporalDevServer } from './embedded/temporal-dev-server.js';
import { logger } from './logger.js';
import { provisionTemporalCli } from './provision/temporal-cli.js';
import { rewardSupplier } from './reward-supplier.js';
import { Shutdown } from './shutdown.js';

/**
 * `npm start`: the whole product on one machine. PostgreSQL, Temporal, SMTP and SMPP are embedded
 * unless DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL or SMS_URL point elsewhere.
 */
const config = loadConfig();
const shutdown = new Shutdown();
// Quiet the SDK (webpack's bundle report), and let Shutdown own the signals.
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
mkdirSync(config.dataDir, { recursive: true });
const serviceLog = (service: string) => (line: string) => logger.debug({ service }, line);

try {
  const temporalCli = config.temporalAddress
    ? undefined
    : provisionTemporalCli({ cacheDir: config.cacheDir, explicitPath: config.temporalCli, log: (l) => logger.info(l) });

  logger.info('Starting PostgreSQL, Temporal and the mail and SMS sinks...');
  const [database, temporal, mailSink, smsSink] = await Promise.all([
    provideDatabase(config, serviceLog('postgres')),
    config.temporalAddress
      ? { address: config.temporalAddress, uiUrl: undefined, stop: async () => undefined }
      : startTemporalDevServer({
          cli: temporalCli,
          dataDir: join(config.dataDir, 'temporal'),
          namespace: config.temporalNamespace,
          onLog: serviceLog('temporal'),
        }),
    config.smtpUrl ? undefined : startMailSink(join(config.dataDir, 'mail')),
    config.smsUrl ? undefined : startSmsSink(join(config.dataDir, 'sms')),
  ]);
  if (database.embedded) shutdown.add('PostgreSQL', () => database.embedded!.stop());
  shutdown.add('Temporal dev server', () => temporal.stop());
  if (mailSink) shutdown.add('mail sink', () => mailSink.stop());
  if (smsSink) shutdown.add('SMS sink', () => smsSink.stop());
  shutdown.handleSignals();

  const dataSource = await openDataSource(database.url);
  shutdown.add('database pool', () => dataSource.destroy());
  const listener = await listenForConfigurationChanges(dataSource, config.databaseDirectUrl ?? database.url, {
    log: (message, error) => logger.warn({ err: error }, message),
  });
  shutdown.add('configuration listener', () => listener.close());
  await openProgramAccounts(dataSource.manager);
  const seededNow = !(await isSeeded(dataSource));
  if (seededNow) {
    logger.info('First start: seeding the demo coalition...');
    await seedDemoProgram(dataSource);
  }

  const smtpUrl = config.smtpUrl ?? mailSink!.smtpUrl;
  const mailer = createRecordingMailer(smtpUrl, config.mailFrom, dataSource);
  shutdown.add('mailer', () => mailer.close());
  const smsSender = createRecordingSmsSender(config.smsUrl ?? smsSink!.smsUrl, config.smsFrom, dataSource);
  shutdown.add('SMS sender', () => smsSender.close());

  const [workerConnection, clientConnection] = await Promise.all([
    NativeConnection.connect({ address: temporal.address }),
    Connection.connect({ address: temporal.address }),
  ]);
  shutdown.add('Temporal connections', async () => {
    await clientConnection.close();
    await workerConnection.close();
  });
  const client = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  const foundation = { config, dataSource, mailer, smsSender, publicUrl: config.publicUrl ?? `http://localhost:${config.port}` };

  // The demo fulfils through the fake supplier unless REWARD_SUPPLIER says otherwise (production must say it).
  const supplier = config.supplier ?? { kind: 'fake' };
  const worker = await composeWorker(foundation, workerConnection, rewardSupplier(supplier, config));
  const workerRun = worker.run();
  shutdown.add('Temporal worker', async () => {
    worker.shutdown();
    await workerRun;
  });

  const web = await composeWeb(
    foundation,
    { client, connection: clientConnection },
    {
      databaseUrl: database.url,
      sessionSecret: config.sessionSecret ?? developmentSessionSecret,
      inbox: { mail: mailSink?.directory, sms: smsSink?.directory },
      demoStore: true,
      // A development machine: webhooks may be tried against a receiver on it.
      localWebhookAddresses: true,
    },
  );
  shutdown.add('back-office sessions', web.closeBackOffice);
  const server: Server = await web.listen(config.port);
  shutdown.add('HTTP server', () => new Promise((resolve) => server.close(resolve)));

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const base = config.publicUrl ?? `http://localhost:${port}`;
  const lines = [
    '',
    'Tessera is running.',
    `  Back office     ${base}/admin`,
    `  Partner API     ${base}/api/v1   (docs ${base}/api/docs)`,
    `  Members         ${base}/member   (sign in as ${demoMember.name}: ${demoMember.email}; the code arrives in the inbox)`,
    `  Demo store      ${base}/demo-store   (the earn widget)`,
    `  Health          ${base}/health`,
    `  Temporal UI     ${temporal.uiUrl ?? `(external Temporal at ${temporal.address})`}`,
    `  Inbox           ${mailSink || smsSink ? `${base}/inbox` : '(no local sink: SMTP_URL and SMS_URL are set)'}`,
    `  Mail            ${mailSink ? `SMTP sink at ${mailSink.smtpUrl}` : `goes to ${smtpUrl}`}`,
    `  Text messages   ${smsSink ? `SMPP sink at ${smsSink.smsUrl}` : 'go to the SMSC in SMS_URL'}`,
    `  Demo program    ${seededNow ? 'seeded on this start' : 'kept from an earlier start'}`,
    `  Rewards         fulfilled by the ${supplier.kind} supplier (REWARD_SUPPLIER)`,
    `  Database        ${database.embedded ? `${database.url}   (embedded, data in ${join(config.dataDir, 'postgres')})` : '(DATABASE_URL)'}`,
    '',
    `Demo logins (password "${demoPassword}"):`,
    ...demoLogins.map((l) => `  ${l.email.padEnd(26)} ${l.role}${l.partnerCode ? ` of ${l.partnerCode}` : ''}`),
    '',
    'Demo partner API keys (Authorization: Bearer <key>):',
    ...demoApiKeys.map((k) => `  ${k.partner.padEnd(26)} ${k.key}`),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  console.log(lines.join('\n'));
} catch (error) {
  logger.fatal({ err: error }, 'Tessera could not start');
  await shutdown.run();
  process.exit(1);
}
