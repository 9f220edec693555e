import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, PointOfSale, ProgramSettings, Receipt } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import type { ImageStore } from '../loyalty/receipts/image-store.js';
import { imageBucket } from '../wiring/receipt-image-bucket.js';
import { imageFolder } from '../wiring/receipt-image-folder.js';
import { createWebApp } from '../wiring/web-app.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';
import { receiptImage } from './support/receipt-images.js';
import { startS3Gateway, type RunningS3Gateway } from './support/s3-gateway.js';
import { startDevServer, startWorkerHarness, testTiming, type WorkerHarness } from './support/temporal.js';

let gateway: RunningS3Gateway;
beforeAll(async () => {
  gateway = await startS3Gateway();
});
afterAll(() => gateway?.stop());

const stores: [string, () => ImageStore][] = [
  ['a folder', () => imageFolder(mkdtempSync(join(tmpdir(), 'tessera-contract-')))],
  ['an S3 bucket', () => imageBucket(gateway.settings)],
];

describe.each(stores)('receipt images in %s', (_name, make) => {
  it('keeps an image until it is deleted; a missing one reads as null and deletes without error', async () => {
    const images = make();
    const key = `receipts/${randomUUID()}.jpg`;
    const bytes = receiptImage(
      { store: 'Green Grocer', date: '2026-11-20', lines: [{ label: 'Bread', cents: 215 }] },
      { level: 0.1, seed: 2 },
      'jpeg',
    );
    expect(await images.get(key)).toBeNull();
    await images.put(key, bytes, 'image/jpeg');
    expect((await images.get(key))?.equals(bytes)).toBe(true);
    // Put again (an upload retried): the same image.
    await images.put(key, bytes, 'image/jpeg');
    expect((await images.get(key))?.equals(bytes)).toBe(true);
    await images.delete(key);
    expect(await images.get(key)).toBeNull();
    // Retention running twice, or an image never stored.
    await images.delete(key);
    await images.delete(`receipts/${randomUUID()}.png`);
  });
});

it('keeps the image on the S3 server itself, and refuses to write with a wrong secret', async () => {
  const key = `receipts/${randomUUID()}.png`;
  await imageBucket(gateway.settings).put(key, Buffer.from('not really a png'), 'image/png');
  expect(existsSync(join(gateway.bucketFolder, key))).toBe(true);
  const wrong = imageBucket({ ...gateway.settings, credentials: { accessKeyId: 'tessera-test', secretAccessKey: 'not-the-secret' } });
  await expect(wrong.put(`receipts/${randomUUID()}.png`, Buffer.from('x'), 'image/png')).rejects.toThrow(/signature/i);
  await expect(wrong.get(key)).rejects.toThrow(/signature/i);
});

describe('a receipt sent through the API with its image in the bucket', () => {
  let harness: WorkerHarness;
  let p: Awaited<ReturnType<typeof createProgram>>;
  let base = '';
  let close = async () => undefined as void;
  // Kept 30 seconds: long enough to see the image in the bucket, short enough to see it deleted.
  beforeAll(async () => {
    harness = await startWorkerHarness(startDevServer, 'receipt-s3-test', {
      timing: { ...testTiming, receiptImageRetention: '30 seconds' },
      receiptImages: imageBucket(gateway.settings),
    });
    const db = harness.db.dataSource;
    await db.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
    await db.manager.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
    forgetProgramConfiguration(db);
    p = await createProgram(db);
    const served = await listen(
      createWebApp({
        health: {},
        api: { dataSource: db, ledger: p.ledger, processes: harness.processes, receiptImages: harness.receiptImages },
      }),
    );
    base = served.url;
    close = served.close;
  }, 180_000);
  afterAll(async () => {
    await close();
    await harness?.stop();
  });

  it('is read and paid, and its object is deleted from the bucket once its retention ends', async () => {
    const db = harness.db.dataSource;
    const green = await p.partner(100_000);
    await db.manager.insert(PointOfSale, {
      partnerId: green.partner.id,
      code: 'high-street',
      name: 'High Street',
      channel: 'store',
      receiptNames: ['Green Grocer'],
    });
    const apiKey = (await issueApiKey(db.manager, green.partner.id, 'test')).secret;
    const ann = await p.member('ann-s3', green.partner.id);
    // Two days before the moment the test started, whatever the month.
    const purchased = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const image = receiptImage(
      {
        store: 'Green Grocer',
        date: purchased,
        lines: [
          { label: 'Apples 1kg', cents: 349 },
          { label: 'Olive oil', cents: 899 },
        ],
      },
      { level: 0.1, seed: 7 },
      'jpeg',
    );
    const sent = await fetch(`${base}/api/v1/members/ann-s3/receipts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'image/jpeg', 'idempotency-key': randomUUID() },
      body: new Uint8Array(image),
    });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const receipt = await db.manager.findOneByOrFail(Receipt, { id });
    expect(existsSync(join(gateway.bucketFolder, receipt.imageKey))).toBe(true);

    await expect.poll(async () => (await db.manager.findOneByOrFail(Receipt, { id })).status, { timeout: 60_000 }).toBe('awarded');
    expect(await p.available(ann.account.id)).toBe(12);
    expect((await harness.receiptImages.get(receipt.imageKey))?.equals(image)).toBe(true);

    await expect
      .poll(async () => (await db.manager.findOneByOrFail(Receipt, { id })).imageDeletedAt, { timeout: 90_000, interval: 1_000 })
      .not.toBeNull();
    expect(await harness.receiptImages.get(receipt.imageKey)).toBeNull();
    expect(existsSync(join(gateway.bucketFolder, receipt.imageKey))).toBe(false);
    expect((await checkLedger(db.manager)).violations).toEqual([]);
  }, 180_000);
});
