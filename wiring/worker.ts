import { loadConfig, requireProductionSettings } from './config.js';
import { settingsOrExit } from './settings-or-exit.js';

/**
 * Production worker process: runs the workflows and activities; the web process migrates. It fulfils
 * rewards through the configured supplier, never a default one: without REWARD_SUPPLIER it refuses
 * to start, and the fake supplier only runs when asked for by name.
 */
const config = settingsOrExit('Tessera worker', () =>
  requireProductionSettings(loadConfig(), {
    databaseUrl: 'DATABASE_URL',
    temporalAddress: 'TEMPORAL_ADDRESS',
    smtpUrl: 'SMTP_URL',
    smsUrl: 'SMS_URL',
    supplier: 'REWARD_SUPPLIER (manual or http)',
  }),
);
// The rest loads only after the settings are checked: a refusal to start is then quick and cheap.
const { startWorker } = await import('./worker-process.js');
await startWorker(config);
