import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { rewardSupplierKinds } from '../entities/index.js';
import { parseSmsUrl } from '../reports/sms-url.js';
import type { ImageBucketSettings } from './receipt-image-bucket.js';

const optionalUrl = z.url().optional();

/** SMS_URL: an SMPP account; the message says what the URL should look like. */
const smsUrl = z
  .string()
  .trim()
  .superRefine((url, context) => {
    try {
      parseSmsUrl(url);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  })
  .optional();

/** The settings of a receipt image bucket, meaningless without one. */
const bucketDetails = [
  'RECEIPT_IMAGES_S3_ENDPOINT',
  'RECEIPT_IMAGES_S3_REGION',
  'RECEIPT_IMAGES_S3_ACCESS_KEY_ID',
  'RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY',
  'RECEIPT_IMAGES_S3_PATH_STYLE',
] as const;

const environmentSchema = z
  .object({
    DATABASE_URL: optionalUrl,
    DATABASE_DIRECT_URL: optionalUrl,
    TEMPORAL_ADDRESS: z.string().trim().min(1).optional(),
    TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('tessera'),
    SMTP_URL: optionalUrl,
    MAIL_FROM: z.string().trim().min(3).default('Tessera <no-reply@tessera.local>'),
    SMS_URL: smsUrl,
    // What phones show as the sender: a name (GSM allows 11 characters) or a number.
    SMS_FROM: z
      .string()
      .trim()
      .regex(
        /^([A-Za-z0-9][A-Za-z0-9 ]{0,10}|\+?\d{1,15})$/,
        'must be up to 11 letters and digits, or a phone number in E.164 (+33612345678)',
      )
      .default('Tessera'),
    OPERATOR_EMAIL: z.email().default('operator@tessera.demo'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    REWARD_SUPPLIER: z.enum(rewardSupplierKinds).optional(),
    SUPPLIER_URL: optionalUrl,
    SUPPLIER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    FAKE_SUPPLIER_SHIP_SECONDS: z.coerce.number().min(0).default(20),
    FAKE_SUPPLIER_FAILING_REWARDS: z.string().default(''),
    FAKE_SUPPLIER_BACKORDERED_REWARDS: z.string().default('headphones'),
    FULFILMENT_POLL_SECONDS: z.coerce.number().min(1).default(10),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: optionalUrl,
    // Never "true": every client could then name any address and dodge the limits.
    TRUST_PROXY: z
      .string()
      .trim()
      .regex(
        /^(\d{1,2}|[0-9A-Za-z.:/_-]+(\s*,\s*[0-9A-Za-z.:/_-]+)*)$/,
        'must be a number of proxies, or their addresses or subnets separated by commas',
      )
      .refine((value) => value !== 'true', 'must name the proxies (loopback, 10.0.0.0/8, …) or count them, not trust every client')
      .transform((value) => (/^\d+$/.test(value) ? Number(value) : value))
      .optional(),
    TESSERA_DATA_DIR: z.string().trim().min(1).default('.data'),
    RECEIPT_IMAGES_DIR: z.string().trim().min(1).optional(),
    RECEIPT_IMAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    RECEIPT_IMAGES_S3_BUCKET: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lower-case letters, digits, dots and hyphens')
      .optional(),
    RECEIPT_IMAGES_S3_ENDPOINT: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://s3.eu-west-3.amazonaws.com' })
      .optional(),
    RECEIPT_IMAGES_S3_REGION: z
      .string()
      .trim()
      .regex(/^[a-z0-9-]+$/, 'must be a region name such as eu-west-3')
      .optional(),
    RECEIPT_IMAGES_S3_ACCESS_KEY_ID: z.string().trim().min(1).optional(),
    RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY: z.string().trim().min(1).optional(),
    RECEIPT_IMAGES_S3_PATH_STYLE: z.enum(['true', 'false'], 'must be true or false').optional(),
    TESSERA_CACHE_DIR: z.string().trim().min(1).optional(),
    TEMPORAL_CLI: z.string().trim().min(1).optional(),
    TEMPORAL_TEST_SERVER: z.string().trim().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, context) => {
    if (env.REWARD_SUPPLIER !== 'http') return;
    for (const variable of ['SUPPLIER_URL', 'SUPPLIER_SECRET'] as const) {
      if (env[variable] === undefined)
        context.addIssue({ code: 'custom', path: [variable], message: 'required when REWARD_SUPPLIER is http' });
    }
  })
  .superRefine((env, context) => {
    const problem = (variable: string, message: string) => context.addIssue({ code: 'custom', path: [variable], message });
    if (env.RECEIPT_IMAGES_S3_BUCKET === undefined) {
      for (const variable of bucketDetails) {
        if (env[variable] !== undefined) problem(variable, 'applies only to a bucket: set RECEIPT_IMAGES_S3_BUCKET too');
      }
      return;
    }
    // Two stores would split the images between web and worker: one of them is the store.
    if (env.RECEIPT_IMAGES_DIR !== undefined)
      problem('RECEIPT_IMAGES_DIR', 'set either RECEIPT_IMAGES_DIR or RECEIPT_IMAGES_S3_BUCKET, not both');
    const [keyId, secret] = [env.RECEIPT_IMAGES_S3_ACCESS_KEY_ID, env.RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY];
    if (keyId !== undefined && secret === undefined)
      problem('RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY', 'required with RECEIPT_IMAGES_S3_ACCESS_KEY_ID');
    if (secret !== undefined && keyId === undefined)
      problem('RECEIPT_IMAGES_S3_ACCESS_KEY_ID', 'required with RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY');
  });

/**
 * Who fulfils rewards: the operator's staff through the back office's queue, a supplier's HTTP API
 * (orders POSTed to `url`, shipments reported back to a callback, both signed with `secret`), or
 * the fake supplier of demos and tests.
 */
export type SupplierSettings = { kind: 'manual' } | { kind: 'http'; url: string; secret: string } | { kind: 'fake' };

export type ReceiptImageSettings = { kind: 'folder'; dir: string } | ({ kind: 's3' } & ImageBucketSettings);

export interface Config {
  /** Absent: `npm start` runs an embedded PostgreSQL under the data folder. */
  databaseUrl?: string;
  /**
   * DATABASE_DIRECT_URL: a connection that keeps session state (LISTEN, migrations) when DATABASE_URL
   * goes through a pooler in transaction mode; defaults to DATABASE_URL.
   */
  databaseDirectUrl?: string;
  /** Absent: `npm start` runs the Temporal development server. */
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  /** Absent: `npm start` runs the local mail sink. */
  smtpUrl?: string;
  mailFrom: string;
  /** The SMPP account texts go through (`smpp://system_id:password@host:2775`); absent: `npm start` runs the local SMS sink. */
  smsUrl?: string;
  /** The sender id phones show. */
  smsFrom: string;
  /** Where operator alerts (failed ledger checks, program summaries) are sent. */
  operatorEmail: string;
  /** Signs back-office session cookies; `npm start` uses a development default. */
  sessionSecret?: string;
  /** REWARD_SUPPLIER; absent, `npm start`'s demo uses the fake supplier and the production worker refuses to start. */
  supplier?: SupplierSettings;
  /** The fake reward supplier: how long until it ships, which rewards it cannot deliver. */
  fakeSupplier: { shipAfterMs: number; failingRewards: string[]; backordered: string[] };
  /** How often fulfilment asks the supplier about a shipment. */
  fulfilmentPollSeconds: number;
  port: number;
  publicUrl?: string;
  /** TRUST_PROXY: the proxies in front of the web process (see createWebApp). */
  trustProxy?: number | string;
  dataDir: string;
  /**
   * Where receipt images are kept: an S3-compatible bucket (RECEIPT_IMAGES_S3_*), or a folder
   * (RECEIPT_IMAGES_DIR, or receipt-images under the data folder).
   */
  receiptImages: ReceiptImageSettings;
  /** Days a receipt's image is kept after its upload, for care's review, before it is deleted. */
  receiptImageRetentionDays: number;
  /** Where provisioned tools (Temporal CLI, test server) are kept across clones. */
  cacheDir: string;
  temporalCli?: string;
  temporalTestServer?: string;
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
}

/** For the production entry points: the services they need must be given, not embedded. */
export function requireSettings<K extends keyof Config>(config: Config, keys: Record<K, string>): Required<Pick<Config, K>> & Config {
  const missing = Object.entries(keys)
    .filter(([key]) => config[key as K] === undefined)
    .map(([, variable]) => variable);
  if (missing.length > 0) throw new Error(`Missing configuration: set ${missing.join(', ')}`);
  return config as Required<Pick<Config, K>> & Config;
}

/** `npm start`'s session secret: fine on a laptop, refused in production. */
export const developmentSessionSecret = 'tessera-development-session-secret-change-me';

/** Secrets everyone can read (the development default, placeholders in our files): never for production. */
function isDevelopmentSecret(secret: string): boolean {
  return secret === developmentSessionSecret || /change[-_ ]?me|placeholder/i.test(secret);
}

/** A configuration in which the settings `K` were required and given. */
export type WithSettings<K extends keyof Config> = Required<Pick<Config, K>> & Config;

/**
 * For `npm run web` and `npm run worker`: the services they need must be given, and the secrets
 * must be real ones — a production process refuses to start on a development secret.
 */
export function requireProductionSettings<K extends keyof Config>(config: Config, keys: Record<K, string>): WithSettings<K> {
  const required = requireSettings(config, keys);
  const secrets = {
    SESSION_SECRET: required.sessionSecret,
    SUPPLIER_SECRET: required.supplier?.kind === 'http' ? required.supplier.secret : undefined,
    RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY:
      required.receiptImages.kind === 's3' ? required.receiptImages.credentials?.secretAccessKey : undefined,
  };
  for (const [variable, secret] of Object.entries(secrets)) {
    if (secret !== undefined && isDevelopmentSecret(secret)) {
      throw new Error(`${variable} is a development placeholder: set a long random value of your own (e.g. \`openssl rand -hex 32\`)`);
    }
  }
  return required;
}

/** Reads the configuration from the environment; a bad value fails at start, naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most tools' configuration.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = environmentSchema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databaseDirectUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    smsUrl: e.SMS_URL,
    smsFrom: e.SMS_FROM,
    operatorEmail: e.OPERATOR_EMAIL,
    sessionSecret: e.SESSION_SECRET,
    supplier: supplierSettings(e),
    fakeSupplier: {
      shipAfterMs: e.FAKE_SUPPLIER_SHIP_SECONDS * 1000,
      failingRewards: e.FAKE_SUPPLIER_FAILING_REWARDS.split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      backordered: e.FAKE_SUPPLIER_BACKORDERED_REWARDS.split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    },
    fulfilmentPollSeconds: e.FULFILMENT_POLL_SECONDS,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    trustProxy: e.TRUST_PROXY,
    dataDir: resolve(e.TESSERA_DATA_DIR),
    receiptImages: receiptImageSettings(e),
    receiptImageRetentionDays: e.RECEIPT_IMAGE_RETENTION_DAYS,
    cacheDir: resolve(e.TESSERA_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'tessera')),
    temporalCli: e.TEMPORAL_CLI,
    temporalTestServer: e.TEMPORAL_TEST_SERVER,
    logLevel: e.LOG_LEVEL,
  };
}

function receiptImageSettings(e: z.infer<typeof environmentSchema>): ReceiptImageSettings {
  if (e.RECEIPT_IMAGES_S3_BUCKET === undefined)
    return { kind: 'folder', dir: resolve(e.RECEIPT_IMAGES_DIR ?? join(e.TESSERA_DATA_DIR, 'receipt-images')) };
  const [accessKeyId, secretAccessKey] = [e.RECEIPT_IMAGES_S3_ACCESS_KEY_ID, e.RECEIPT_IMAGES_S3_SECRET_ACCESS_KEY];
  return {
    kind: 's3',
    bucket: e.RECEIPT_IMAGES_S3_BUCKET,
    endpoint: e.RECEIPT_IMAGES_S3_ENDPOINT,
    region: e.RECEIPT_IMAGES_S3_REGION ?? 'us-east-1',
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: e.RECEIPT_IMAGES_S3_PATH_STYLE === 'true',
  };
}

function supplierSettings(e: z.infer<typeof environmentSchema>): SupplierSettings | undefined {
  switch (e.REWARD_SUPPLIER) {
    case undefined:
      return undefined;
    case 'http':
      return { kind: 'http', url: e.SUPPLIER_URL!, secret: e.SUPPLIER_SECRET! };
    default:
      return { kind: e.REWARD_SUPPLIER };
  }
}
