import { expect, it } from 'vitest';
import { loadConfig, requireProductionSettings, requireSettings } from './config.js';

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

it('reads the reward supplier: the back office queue, an HTTP supplier with its URL and secret, or the fake by name', () => {
  expect(loadConfig({}).supplier).toBeUndefined();
  expect(loadConfig({ REWARD_SUPPLIER: 'manual' }).supplier).toEqual({ kind: 'manual' });
  expect(loadConfig({ REWARD_SUPPLIER: 'fake' }).supplier).toEqual({ kind: 'fake' });
  const secret = 'a-supplier-secret-of-at-least-32-characters';
  expect(loadConfig({ REWARD_SUPPLIER: 'http', SUPPLIER_URL: 'https://supplier.example/api', SUPPLIER_SECRET: secret }).supplier).toEqual({
    kind: 'http',
    url: 'https://supplier.example/api',
    secret,
  });
  expect(() => loadConfig({ REWARD_SUPPLIER: 'http' })).toThrow(
    /SUPPLIER_URL: required when REWARD_SUPPLIER is http\n {2}SUPPLIER_SECRET: required when REWARD_SUPPLIER is http/,
  );
  expect(() => loadConfig({ REWARD_SUPPLIER: 'http', SUPPLIER_URL: 'https://supplier.example', SUPPLIER_SECRET: 'short' })).toThrow(
    /SUPPLIER_SECRET: must be at least 32 characters/,
  );
  expect(() => loadConfig({ REWARD_SUPPLIER: 'warehouse' })).toThrow(/REWARD_SUPPLIER: /);
});

it('makes the production worker name the supplier it was not given, and refuse a placeholder supplier secret', () => {
  const services = { DATABASE_URL: 'postgres://u:p@db:5432/tessera', TEMPORAL_ADDRESS: 'temporal:7233', SMTP_URL: 'smtp://mail:25' };
  const worker = { databaseUrl: 'DATABASE_URL', temporalAddress: 'TEMPORAL_ADDRESS', smtpUrl: 'SMTP_URL', supplier: 'REWARD_SUPPLIER' };
  expect(() => requireProductionSettings(loadConfig(services), worker)).toThrow('Missing configuration: set REWARD_SUPPLIER');
  const placeholder = {
    REWARD_SUPPLIER: 'http',
    SUPPLIER_URL: 'https://supplier.example',
    SUPPLIER_SECRET: 'change-me-to-the-supplier-secret-please',
  };
  expect(() => requireProductionSettings(loadConfig({ ...services, ...placeholder }), worker)).toThrow(
    'SUPPLIER_SECRET is a development placeholder',
  );
  expect(requireProductionSettings(loadConfig({ ...services, REWARD_SUPPLIER: 'manual' }), worker).supplier).toEqual({ kind: 'manual' });
});
