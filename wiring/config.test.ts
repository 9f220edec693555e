import { expect, it } from 'vitest';
import { parseSmsUrl } from '../reports/sms-url.js';
import { loadConfig, requireProductionSettings, requireSettings } from './config.js';

it('runs on embedded services when nothing is configured', () => {
  const config = loadConfig({ HOME: '/home/someone' });
  expect(config).toMatchObject({ port: 3000, taskQueue: 'tessera', temporalNamespace: 'default' });
  expect(config.databaseUrl).toBeUndefined();
  expect(config.temporalAddress).toBeUndefined();
  expect(config.smtpUrl).toBeUndefined();
  expect(config.smsUrl).toBeUndefined();
  expect(config.smsFrom).toBe('Tessera');
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

it('reads the SMPP account from SMS_URL: system_id and password, the port 2775 when not given, TLS with smpps', () => {
  expect(loadConfig({ SMS_URL: 'smpp://tessera:s3cret@sms.example:2776', SMS_FROM: '+33612345678' })).toMatchObject({
    smsUrl: 'smpp://tessera:s3cret@sms.example:2776',
    smsFrom: '+33612345678',
  });
  expect(parseSmsUrl('smpp://tessera:s3cret@sms.example:2776')).toEqual({
    host: 'sms.example',
    port: 2776,
    tls: false,
    systemId: 'tessera',
    password: 's3cret',
  });
  expect(parseSmsUrl('smpp://tessera:s%40cret@sms.example')).toMatchObject({ port: 2775, password: 's@cret' });
  expect(parseSmsUrl('smpps://tessera:s3cret@sms.example')).toMatchObject({ port: 3550, tls: true });
});

it('names what is wrong with SMS_URL and SMS_FROM', () => {
  const expected = 'smpp://system_id:password@host:2775 (or smpps:// for TLS)';
  expect(() => loadConfig({ SMS_URL: 'http://tessera:s3cret@sms.example:2775' })).toThrow(`SMS_URL: must look like ${expected}`);
  expect(() => loadConfig({ SMS_URL: 'smpp://sms.example:2775' })).toThrow(`SMS_URL: must name the system_id and password: ${expected}`);
  expect(() => loadConfig({ SMS_URL: 'sms.example:2775' })).toThrow(`SMS_URL: must look like ${expected}`);
  expect(() => loadConfig({ SMS_FROM: 'Tessera Loyalty' })).toThrow(
    'SMS_FROM: must be up to 11 letters and digits, or a phone number in E.164 (+33612345678)',
  );
});

it('makes the production processes name a missing SMS_URL', () => {
  const services = {
    DATABASE_URL: 'postgres://u:p@db:5432/tessera',
    TEMPORAL_ADDRESS: 'temporal:7233',
    SMTP_URL: 'smtp://mail:25',
    REWARD_SUPPLIER: 'manual',
  };
  const worker = { databaseUrl: 'DATABASE_URL', temporalAddress: 'TEMPORAL_ADDRESS', smtpUrl: 'SMTP_URL', smsUrl: 'SMS_URL' };
  expect(() => requireProductionSettings(loadConfig(services), worker)).toThrow('Missing configuration: set SMS_URL');
  expect(requireProductionSettings(loadConfig({ ...services, SMS_URL: 'smpp://tessera:s3cret@sms.example' }), worker).smsUrl).toBe(
    'smpp://tessera:s3cret@sms.example',
  );
});

it('reads the proxies in front from TRUST_PROXY: a count, or their addresses; never every client', () => {
  expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
  expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toBe('loopback, 10.0.0.0/8');
  expect(loadConfig({}).trustProxy).toBeUndefined();
  expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: must name the proxies/);
  expect(() => loadConfig({ TRUST_PROXY: 'a b; c' })).toThrow(/TRUST_PROXY: must be a number of proxies/);
});

it('listens on DATABASE_DIRECT_URL, or on DATABASE_URL when no direct connection is given', () => {
  const pooled = 'postgres://u:p@pgbouncer:6432/tessera';
  expect(loadConfig({ DATABASE_URL: pooled }).databaseDirectUrl).toBe(pooled);
  expect(loadConfig({ DATABASE_URL: pooled, DATABASE_DIRECT_URL: 'postgres://u:p@db:5432/tessera' }).databaseDirectUrl).toBe(
    'postgres://u:p@db:5432/tessera',
  );
});

it('keeps receipt images in a folder, or in the S3 bucket its settings name, refusing settings that do not fit together', () => {
  expect(loadConfig({ TESSERA_DATA_DIR: '/srv/tessera' }).receiptImages).toEqual({ kind: 'folder', dir: '/srv/tessera/receipt-images' });
  expect(loadConfig({ RECEIPT_IMAGES_S3_BUCKET: 'tessera-receipts' }).receiptImages).toEqual({
    kind: 's3',
    bucket: 'tessera-receipts',
    endpoint: undefined,
    region: 'us-east-1',
    credentials: undefined,
    forcePathStyle: false,
  });
  const bucket = {
    RECEIPT_IMAGES_S3_BUCKET: 'receipts',
    RECEIPT_IMAGES_S3_ENDPOINT: 'https://s3.example.net',
    RECEIPT_IMAGES_S3_REGION: 'eu-west-3',
    RECEIPT_IMAGES_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY: 'a-real-looking-secret',
    RECEIPT_IMAGES_S3_PATH_STYLE: 'true',
  };
  expect(loadConfig(bucket).receiptImages).toEqual({
    kind: 's3',
    bucket: 'receipts',
    endpoint: 'https://s3.example.net',
    region: 'eu-west-3',
    credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'a-real-looking-secret' },
    forcePathStyle: true,
  });
  expect(() => loadConfig({ RECEIPT_IMAGES_S3_BUCKET: 'Receipts_2026' })).toThrow(/RECEIPT_IMAGES_S3_BUCKET: must be a bucket name/);
  expect(() => loadConfig({ ...bucket, RECEIPT_IMAGES_S3_ENDPOINT: 'minio:9000' })).toThrow(
    /RECEIPT_IMAGES_S3_ENDPOINT: must be an http\(s\) URL/,
  );
  expect(() => loadConfig({ ...bucket, RECEIPT_IMAGES_S3_PATH_STYLE: 'yes' })).toThrow(
    /RECEIPT_IMAGES_S3_PATH_STYLE: must be true or false/,
  );
  expect(() => loadConfig({ RECEIPT_IMAGES_S3_ENDPOINT: 'https://s3.example.net' })).toThrow(
    /RECEIPT_IMAGES_S3_ENDPOINT: applies only to a bucket: set RECEIPT_IMAGES_S3_BUCKET too/,
  );
  expect(() => loadConfig({ ...bucket, RECEIPT_IMAGES_DIR: '/srv/images' })).toThrow(
    /RECEIPT_IMAGES_DIR: set either RECEIPT_IMAGES_DIR or RECEIPT_IMAGES_S3_BUCKET, not both/,
  );
  expect(() => loadConfig({ ...bucket, RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY: '' })).toThrow(
    /RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY: required with RECEIPT_IMAGES_S3_ACCESS_KEY_ID/,
  );
  const services = { DATABASE_URL: 'postgres://u:p@db/t', SESSION_SECRET: 'x'.repeat(40) };
  expect(() =>
    requireProductionSettings(loadConfig({ ...services, ...bucket, RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY: 'change-me' }), {
      databaseUrl: 'DATABASE_URL',
    }),
  ).toThrow('RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY is a development placeholder');
});
