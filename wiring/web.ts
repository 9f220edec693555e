import { loadConfig, requireProductionSettings } from './config.js';
import { settingsOrExit } from './settings-or-exit.js';

/**
 * Production web process: HTTP (API, back office, health). Migrates the schema at start. It needs
 * REWARD_SUPPLIER as the worker does: it takes the shipment reports of an HTTP supplier, and only then.
 */
const config = settingsOrExit('Tessera web', () =>
  requireProductionSettings(loadConfig(), {
    databaseUrl: 'DATABASE_URL',
    temporalAddress: 'TEMPORAL_ADDRESS',
    smtpUrl: 'SMTP_URL',
    smsUrl: 'SMS_URL',
    sessionSecret: 'SESSION_SECRET',
    supplier: 'REWARD_SUPPLIER (manual or http)',
  }),
);
// The rest loads only after the settings are checked: a refusal to start is then quick and cheap.
const { startWeb } = await import('./web-process.js');
await startWeb(config);
