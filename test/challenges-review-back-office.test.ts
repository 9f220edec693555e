import { afterAll, beforeAll, expect, it } from 'vitest';
import { Challenge } from '../entities/index.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import { serveBackOffice } from './support/back-office.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';
import { validChallengeForm } from './support/challenge-form.js';

/** Review of the challenges change through AdminJS's own endpoints. */
let harness: WorkerHarness;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'challenges-review-back-office-test');
  await seedDemoProgram(harness.db.dataSource);
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string): Promise<string> {
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email, password: demoPassword }),
    redirect: 'manual',
  });
  return response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tessera_admin='))!
    .split(';')[0]!;
}

async function post(cookie: string, path: string, fields: Record<string, string>) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${base}/admin/api${path}`, { method: 'POST', body: form, headers: { cookie, origin: base } });
  return { status: response.status, text: await response.text() };
}

const valid = validChallengeForm;

it('answers nonsense in the challenge form under its field: no 500, no SQL text', async () => {
  const operator = await signIn('operator@tessera.demo');
  const answers: [string, number, string][] = [];
  for (const fields of [{ name: 'Nul\u0000byte' }, { startsAt: '-010000-01-01T00:00:00.000Z' }] as Record<string, string>[]) {
    const answer = await post(operator, '/resources/Challenge/actions/new', { ...valid, ...fields });
    answers.push([JSON.stringify(fields), answer.status, answer.text.slice(0, 300)]);
  }
  for (const [fields, status, text] of answers) {
    expect(status, `${fields}: ${text}`).toBe(200);
    expect(text, fields).not.toMatch(/QueryFailedError|invalid byte sequence|out of range|INSERT INTO/);
  }
  expect(await harness.db.dataSource.manager.count(Challenge)).toBe(0);
});
