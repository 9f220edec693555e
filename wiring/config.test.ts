import { expect, it } from 'vitest';
import { loadConfig, requireSettings } from './config.js';

it('runs on embedded services when nothing is configured', () => {
  const config = loadConfig({ HOME: '/home/someone' });
  expect(config).toMatchObject({ port: 3000, taskQueue: 'tessera', temporalNamespace: 'default' });
  expect(config.databaseUrl).toBeUndefined();
  expect(config.temporalAddress).toBeUndefined();
  expect(config.smtpUrl).toBeUndefined();
  expect(config.cacheDir).toBe('/home/someone/.cache/tessera');
});

it('treats empty variables as unset and takes the given services', () => {
  const config = loadConfig({
    DATABASE_URL: 'postgres://u:p@db:5432/tessera',
    TEMPORAL_ADDRESS: 'temporal:7233',
    SMTP_URL: '',
    PORT: '8080',
  });
  expect(config).toMatchObject({ databaseUrl: 'postgres://u:p@db:5432/tessera', temporalAddress: 'temporal:7233', port: 8080 });
  expect(config.smtpUrl).toBeUndefined();
});

it('names every variable that is wrong', () => {
  expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' })).toThrow(
    /Invalid configuration:\n {2}DATABASE_URL: .*\n {2}PORT: .*\n {2}LOG_LEVEL: /,
  );
});

it('makes the production processes name the services they were not given', () => {
  expect(() =>
    requireSettings(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }), {
      databaseUrl: 'DATABASE_URL',
      temporalAddress: 'TEMPORAL_ADDRESS',
      smtpUrl: 'SMTP_URL',
    }),
  ).toThrow('Missing configuration: set DATABASE_URL, SMTP_URL');
});
