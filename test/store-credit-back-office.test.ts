import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import { CreditProgram, Partner } from '../entities/index.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import type { TestDatabase } from './support/database.js';
import { serveBackOffice } from './support/back-office.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let db: TestDatabase;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const ids = { koffie: '', bookbarn: '', fitapp: '', koffieClub: '', bookbarnClub: '' };

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'store-credit-back-office-test');
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  const partner = async (code: string) => (await db.dataSource.manager.findOneByOrFail(Partner, { code })).id;
  ids.koffie = await partner('koffie-corner');
  ids.bookbarn = await partner('bookbarn');
  ids.fitapp = await partner('fitapp');
  const closed = async (name: string, owner: string) =>
    (
      await db.dataSource.manager.save(CreditProgram, {
        name,
        ownerPartnerId: owner,
        currency: 'EUR',
        partnerIds: [owner],
        cashbackFixedMinor: 150,
      })
    ).id;
  ids.koffieClub = await closed('Koffie club', ids.koffie);
  ids.bookbarnClub = await closed('BookBarn club', ids.bookbarn);
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

const cookies = new Map<string, string>();
async function signIn(email: string): Promise<string> {
  if (cookies.has(email)) return cookies.get(email)!;
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email, password: demoPassword }),
    redirect: 'manual',
  });
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tessera_admin='))!
    .split(';')[0]!;
  cookies.set(email, cookie);
  return cookie;
}
async function call(email: string, method: string, path: string, fields?: Record<string, string>) {
  let body: FormData | undefined;
  if (fields) {
    body = new FormData();
    for (const [key, value] of Object.entries(fields)) body.append(key, value);
  }
  const response = await fetch(`${base}/admin/api${path}`, { method, body, headers: { cookie: await signIn(email), origin: base } });
  const text = await response.text();
  return { status: response.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
}
const sqlText = /violates|duplicate key|null value|constraint|invalid input syntax|QueryFailed|relation "/i;
const count = async (table: string) => Number((await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

it('a credit program form refuses bad input under each field and saves nothing; a good one saves', async () => {
  const valid = () => ({
    name: 'Coalition cashback',
    currency: 'EUR',
    'partnerIds.0': ids.fitapp,
    cashbackPercent: '5',
    cashbackFixedMinor: '',
    active: 'true',
  });
  const bad: [Record<string, string>, string, RegExp][] = [
    [{ name: ' ' }, 'name', /required/],
    [{ name: 'Koffie club' }, 'name', /another credit program has this name/],
    [{ currency: 'EURO' }, 'currency', /ISO 4217/],
    [{ 'partnerIds.0': '' }, 'partnerIds', /choose at least one partner/],
    [{ 'partnerIds.0': ids.koffie }, 'partnerIds', /already takes part in "Koffie club"/],
    [{ ownerPartnerId: ids.bookbarn }, 'partnerIds', /closed program runs at its owner's stores only/],
    [{ cashbackPercent: '' }, 'cashbackPercent', /a percentage of the purchase, or a fixed amount/],
    [{ cashbackPercent: '120' }, 'cashbackPercent', /at most 100/],
    [{ cashbackPercent: 'five' }, 'cashbackPercent', /percentage/],
    [{ cashbackFixedMinor: '200' }, 'cashbackFixedMinor', /not both/],
    [{ cashbackPercent: '', cashbackFixedMinor: '-3' }, 'cashbackFixedMinor', /whole number above 0/],
  ];
  const before = await count('credit_program');
  for (const [fields, field, message] of bad) {
    const answer = await call('manager@tessera.demo', 'POST', '/resources/CreditProgram/actions/new', { ...valid(), ...fields });
    expect(answer.text, JSON.stringify(fields)).not.toMatch(sqlText);
    expect(answer.json?.record?.errors?.[field]?.message, JSON.stringify(fields)).toMatch(message);
  }
  expect(await count('credit_program')).toBe(before);
  const saved = await call('manager@tessera.demo', 'POST', '/resources/CreditProgram/actions/new', valid());
  expect(saved.json.notice.type).toBe('success');
  const [row] = await db.dataSource.query(`SELECT "partnerIds", "cashbackPercent" FROM credit_program WHERE name = 'Coalition cashback'`);
  expect(row).toEqual({ partnerIds: [ids.fitapp], cashbackPercent: '5.000' });
});

it('an exchange rate form refuses bad input under each field; the operator records a rate', async () => {
  const valid = () => ({ fromCurrency: 'USD', toCurrency: 'EUR', rate: '0.92', validFrom: '2026-11-01T00:00:00.000Z' });
  for (const [fields, field, message] of [
    [{ fromCurrency: 'XYZ' }, 'fromCurrency', /ISO 4217/],
    [{ toCurrency: 'USD' }, 'toCurrency', /must differ/],
    [{ rate: '0' }, 'rate', /above 0/],
    [{ rate: 'lots' }, 'rate', /above 0/],
    [{ validFrom: '' }, 'validFrom', /required/],
  ] as [Record<string, string>, string, RegExp][]) {
    const answer = await call('operator@tessera.demo', 'POST', '/resources/ExchangeRate/actions/new', { ...valid(), ...fields });
    expect(answer.text).not.toMatch(sqlText);
    expect(answer.json?.record?.errors?.[field]?.message, JSON.stringify(fields)).toMatch(message);
  }
  expect(await count('exchange_rate')).toBe(0);
  expect((await call('operator@tessera.demo', 'POST', '/resources/ExchangeRate/actions/new', valid())).json.notice.type).toBe('success');
  const again = await call('operator@tessera.demo', 'POST', '/resources/ExchangeRate/actions/new', valid());
  expect(again.json.record.errors.validFrom.message).toMatch(/already has a rate from this moment/);
  expect(await count('exchange_rate')).toBe(1);
  // A partner user neither reads nor sets rates.
  expect((await call('partner@tessera.demo', 'GET', '/resources/ExchangeRate/actions/list')).status).toBe(403);
});

it("a partner user sees its own closed program and never another partner's", async () => {
  const partner = 'partner@tessera.demo';
  const listed = await call(partner, 'GET', '/resources/CreditProgram/actions/list');
  expect(listed.json.records.map((r: { params: { name: string } }) => r.params.name)).toEqual(['Koffie club']);
  const other = await call(partner, 'GET', `/resources/CreditProgram/records/${ids.bookbarnClub}/show`);
  expect(other.status).toBe(403);
  expect(other.text).not.toContain('BookBarn club');
  const filtered = await call(partner, 'GET', `/resources/CreditProgram/actions/list?filters.ownerPartnerId=${ids.bookbarn}`);
  expect(filtered.json.records).toEqual([]);
  // Reading is all a partner user does here.
  const edit = await call(partner, 'POST', `/resources/CreditProgram/records/${ids.koffieClub}/edit`, { name: 'Mine now' });
  expect(edit.status).toBe(403);
});

it('shows the operator a credit program in words: its partners by name, its cashback, in a browser', async () => {
  const browser = await launchBrowser();
  try {
    const page = await signInToBackOffice(browser, base, 'operator@tessera.demo', demoPassword);
    await page.goto(`${base}/admin/resources/CreditProgram/records/${ids.koffieClub}/show`);
    await page.getByText('Koffie club').first().waitFor();
    await page.waitForTimeout(1_000);
    const text = await page.locator('body').innerText();
    expect(text).toContain('Closed program of');
    expect(text).toContain('Koffie Corner');
    expect(text).toContain('Cashback per purchase (cents)');
    await page.screenshot({ path: join(artifactsDir, 'credit-program-show.png'), fullPage: true });
    await page.goto(`${base}/admin/resources/CreditProgram/actions/new`);
    await page.getByText('Stores of the partners').first().waitFor();
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: join(artifactsDir, 'credit-program-new.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
