import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../wiring/config.js';
import { freePort } from '../../wiring/free-port.js';
import { provisionVersitygw } from '../../wiring/provision/versitygw.js';
import type { ImageBucketSettings } from '../../wiring/receipt-image-bucket.js';

export interface RunningS3Gateway {
  /** A bucket on it, empty at start. */
  settings: ImageBucketSettings;
  /** The folder behind the bucket: what the server really keeps. */
  bucketFolder: string;
  stop(): Promise<void>;
}

/**
 * Versity's S3 gateway over a folder of its own, on a free port, with one bucket. Found, never
 * built here (tests run offline): `npm run provision` builds it once per machine.
 */
export async function startS3Gateway(): Promise<RunningS3Gateway> {
  const binary = provisionVersitygw({ cacheDir: loadConfig().cacheDir, explicitPath: process.env.VERSITYGW_PATH, build: false });
  if (!binary) throw new Error("Versity's S3 gateway is not provisioned: run `npm run provision` (it builds it with Go once per machine)");
  const root = mkdtempSync(join(tmpdir(), 'tessera-s3-'));
  const bucket = 'receipts-test';
  // The posix backend serves each top-level folder as a bucket.
  mkdirSync(join(root, bucket));
  const port = await freePort();
  const credentials = { accessKeyId: 'tessera-test', secretAccessKey: 'tessera-test-secret-key' };
  const child = spawn(
    binary,
    ['--access', credentials.accessKeyId, '--secret', credentials.secretAccessKey, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', root],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the S3 gateway exited with ${child.exitCode}:\n${output}`);
    // Any HTTP answer (an anonymous request is refused) means it listens.
    if (
      await fetch(endpoint).then(
        () => true,
        () => false,
      )
    )
      break;
    if (attempt > 100) throw new Error(`the S3 gateway did not listen within 20 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    settings: { bucket, endpoint, region: 'us-east-1', credentials, forcePathStyle: true },
    bucketFolder: join(root, bucket),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
