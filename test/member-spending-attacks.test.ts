import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, Member, ProgramSettings, Redemption, Reward, type Company } from '../entities/index.js';
import { addEmployee } from '../loyalty/company-employees.js';
import { createCompany, fundCompany } from '../loyalty/company-accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { portalRouter } from '../portal/portal-router.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { listen } from './support/http.js';
import { createProgram } from './support/program.js';

/**
 * What a member (or someone else's page) can make the dashboard's spending forms do when they
 * send what the pages never would: forms replayed or altered, requests from other sites,
 * nonsense values, files in the encodings spreadsheets write.
 */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let served: { url: string; close: () => Promise<void> };
let acme: Company;
const people: Record<'ann' | 'bo' | 'maria' | 'olaf' | 'cleo', { id: string; email: string; cookie: string }> = {} as never;

beforeAll(async () => {
  [db, mail, sms] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'period', months: 12 },
    transferMaxPoints: 200,
    transferMaxPointsPerDay: 1_000,
  });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Reward, [
    { code: 'cinema', name: 'Cinema ticket', pointsPrice: 100, category: 'Outings' },
    { code: 'mug', name: 'Tessera mug', pointsPrice: 50, category: 'Home', needsFulfilment: true, stock: 5 },
  ]);
  const { partner, wallet } = await p.partner(100_000);
  for (const name of ['ann', 'bo', 'maria', 'olaf', 'cleo'] as const) {
    const { member, account } = await p.member(name);
    const email = `${name}@example.test`;
    await m.update(Member, { id: member.id }, { email, emailVerifiedAt: new Date() });
    await p.ledger.transfer({
      source: 'test',
      key: `earn-${name}`,
      legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 500, kind: 'earn' }],
    });
    const { token } = await openMemberSession(m, { memberId: member.id, partnerId: null });
    people[name] = { id: member.id, email, cookie: `tessera_member=${token}` };
  }
  acme = await inTransaction(db.dataSource, (manager) =>
    createCompany(manager, { name: 'Acme BV', managerEmails: ['maria@example.test'], createdBy: 'operator@tessera.test' }),
  );
  await inTransaction(db.dataSource, (manager) =>
    fundCompany(manager, p.ledger, {
      companyId: acme.id,
      partnerId: partner.id,
      points: 1_000,
      reason: 'Budget',
      reference: 'po-1',
      fundedBy: 'operator@tessera.test',
    }),
  );
  await inTransaction(db.dataSource, (manager) =>
    addEmployee(manager, { companyId: acme.id, managerId: people.maria.id, address: people.cleo.email }),
  );

  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender),
  };
  served = await listen(
    createWebApp({
      health: {},
      api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: codes },
      portal: portalRouter({ dataSource: db.dataSource, codes, publicUrl: 'http://127.0.0.1', ledger: p.ledger, logFault: () => {} }),
    }),
  );
}, 120_000);
afterAll(async () => {
  await served?.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

const available = async (memberId: string) => p.available((await memberWithAccount(db.dataSource.manager, memberId)).account.id);

/** A form posted by the dashboard's own page (the browser says so), as `who`. */
function post(who: keyof typeof people, path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${served.url}/member${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: people[who].cookie, 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(form),
  });
}

const get = (who: keyof typeof people, path: string) =>
  fetch(`${served.url}/member${path}`, { redirect: 'manual', headers: { cookie: people[who].cookie } });

const key = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

describe('gifts', () => {
  it('refuses a confirmation posted from another site, or by a client that says nothing of where it comes from', async () => {
    const before = await available(people.ann.id);
    const form = { to: people.bo.email, points: '5', key: key() };
    const crossSite = await post('ann', '/gift/confirm', form, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    // The member reads a page of their dashboard, not a message for the back office's staff.
    expect(crossSite.headers.get('content-type')).toContain('text/html');
    const page = await crossSite.text();
    expect(page).toContain('another site');
    expect(page).not.toContain('back office');
    const bare = await fetch(`${served.url}/member/gift/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: people.ann.cookie },
      body: new URLSearchParams(form),
    });
    expect(bare.status).toBe(403);
    expect(await available(people.ann.id)).toBe(before);
  });

  it('shows the form again, not an error page, when a confirmation is sent again with other points under its key', async () => {
    const form = { to: people.bo.email, points: '5', key: key() };
    expect((await post('ann', '/gift/confirm', form)).status).toBe(303);
    const before = await available(people.ann.id);
    const altered = await post('ann', '/gift/confirm', { ...form, points: '6' });
    expect(altered.status).toBe(422);
    expect(await altered.text()).not.toContain('Something went wrong');
    expect(await available(people.ann.id)).toBe(before);
  });

  it.each([['-5'], ['1.5'], ['１０'], ['1e3'], [''], ['9999999999999'], ['0x10']])('refuses %j points under the field', async (points) => {
    const response = await post('ann', '/gift', { to: people.bo.email, points });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('id="points-error"');
  });

  it('counts confirmations sent without the lookup step against the lookups an hour: they tell a member from a stranger too', async () => {
    // Over the limit per gift: a member at the address is told "at most 200 points", a stranger "no member", and nothing moves.
    const statuses: number[] = [];
    for (let i = 0; i < 35; i++) {
      const response = await post('olaf', '/gift/confirm', { to: `probe-${i}@example.test`, points: '100000', key: key() });
      statuses.push(response.status);
    }
    expect(statuses).toContain(429);
  });
});

describe('any form', () => {
  it('answers a form larger than any the dashboard sends, or in a character set it does not read, with a page saying so', async () => {
    const large = await post('ann', '/gift', { to: people.bo.email, points: '5', note: 'x'.repeat(20_000) });
    expect(large.status).toBe(413);
    expect(await large.text()).toContain('This request was not understood');
    const latin = await post(
      'ann',
      '/gift',
      { to: people.bo.email, points: '5' },
      { 'content-type': 'application/x-www-form-urlencoded; charset=koi8-r' },
    );
    expect(latin.status).toBe(415);
    expect(await latin.text()).toContain('This request was not understood');
  });

  it('may not be shown inside another page (clickjacking a confirmation)', async () => {
    const response = await get('ann', '/gift');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('rewards', () => {
  it('redeems once for one form sent twice at the same moment (a double tap)', async () => {
    const before = await available(people.bo.id);
    const form = { key: key() };
    const responses = await Promise.all([post('bo', '/rewards/cinema', form), post('bo', '/rewards/cinema', form)]);
    expect(responses.map((r) => r.status)).toEqual([303, 303]);
    expect(responses[0]!.headers.get('location')).toBe(responses[1]!.headers.get('location'));
    expect(await available(people.bo.id)).toBe(before - 100);
  });

  it("shows another member's reward as not found", async () => {
    const { id } = await db.dataSource.manager.findOneByOrFail(Redemption, { memberId: people.bo.id });
    const response = await get('ann', `/my-rewards/${id}`);
    expect(response.status).toBe(404);
  });

  it.each([['/rewards/%00'], ['/my-rewards/%00'], ['/rewards?category=%00']])(
    'answers %s with a page saying it was not understood',
    async (path) => {
      const response = await get('ann', path);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('This request was not understood');
    },
  );

  it('answers a reward code of 5000 characters as a reward not offered', async () => {
    expect((await get('ann', `/rewards/${'x'.repeat(5000)}`)).status).toBe(404);
  });

  it('names a delivery address field holding a control character, and writes nothing', async () => {
    const before = await available(people.ann.id);
    const response = await post('ann', '/rewards/mug', {
      key: key(),
      name: 'Ann\u0000',
      street: 'Main street 1',
      postalCode: '1012 AB',
      city: 'Amsterdam',
      country: 'NL',
    });
    expect(response.status).toBe(400);
    expect(await available(people.ann.id)).toBe(before);
  });
});

describe('company pages', () => {
  it('are not found for a member who does not manage the company, whatever they post', async () => {
    const before = await available(people.olaf.id);
    for (const path of [`/company/${acme.id}`, `/company/${acme.id}/report`, `/company/${acme.id}/report.csv`]) {
      expect((await get('olaf', path)).status).toBe(404);
    }
    const give = await post('olaf', `/company/${acme.id}/give`, { address: people.olaf.email, points: '10', key: crypto.randomUUID() });
    expect(give.status).toBe(404);
    expect(await available(people.olaf.id)).toBe(before);
  });

  it.each([['-5'], ['1e3'], ['99999999999999999999'], ['']])('refuses %j points under the field', async (points) => {
    const response = await post('maria', `/company/${acme.id}/give`, { address: people.cleo.email, points, key: crypto.randomUUID() });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('id="give-points-error"');
  });

  it('refuses a note holding a NUL character, and gives nothing', async () => {
    const before = await available(people.cleo.id);
    const response = await post('maria', `/company/${acme.id}/give`, {
      address: people.cleo.email,
      points: '5',
      note: 'bad\u0000note',
      key: crypto.randomUUID(),
    });
    expect(response.status).toBe(400);
    expect(await available(people.cleo.id)).toBe(before);
  });

  it('says in words that a form sent back (the browser’s Back) with other points was used already, and gives nothing more', async () => {
    const key = crypto.randomUUID();
    expect((await post('maria', `/company/${acme.id}/give`, { address: people.cleo.email, points: '5', key })).status).toBe(303);
    const before = await available(acme.memberId);
    const again = await post('maria', `/company/${acme.id}/give`, { address: people.cleo.email, points: '6', key });
    expect(again.status).toBe(409);
    const page = await again.text();
    expect(page).toContain('this form was already used to give points: fill it in again');
    expect(page).not.toContain('Idempotency');
    expect(await available(acme.memberId)).toBe(before);
  });

  async function upload(bytes: Uint8Array<ArrayBuffer>) {
    const form = new FormData();
    form.set('key', crypto.randomUUID());
    form.set('file', new File([bytes], 'bonus.csv', { type: 'text/csv' }));
    return fetch(`${served.url}/member/company/${acme.id}/files`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: people.maria.cookie, 'sec-fetch-site': 'same-origin' },
      body: form,
    });
  }

  it('reads a file a spreadsheet saved in its Windows encoding, the note as written', async () => {
    const latin1 = Uint8Array.from([...`${people.cleo.email};7;Café à la crème\r\n`].map((c) => c.charCodeAt(0)));
    const response = await upload(latin1);
    expect(response.status).toBe(303);
    const [row]: { note: string }[] = await db.dataSource.query(
      `SELECT "references"->>'note' AS note FROM ledger_transfer WHERE "references"->>'company' = $1 ORDER BY seq DESC LIMIT 1`,
      [acme.id],
    );
    expect(row!.note).toBe('Café à la crème');
  });

  it('reads a file a spreadsheet saved as Unicode (UTF-16 with its byte order mark)', async () => {
    const text = `${people.cleo.email},3,Merci\r\n`;
    const utf16 = new Uint8Array(2 + text.length * 2);
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) utf16[2 + i * 2] = text.charCodeAt(i);
    const response = await upload(utf16);
    expect(response.status).toBe(303);
  });

  it('names a line whose note holds a control character, and gives nothing', async () => {
    const before = await available(people.cleo.id);
    const response = await upload(new TextEncoder().encode(`${people.cleo.email},5,bad\u0000note\r\n`));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Line 1: the line holds characters no spreadsheet writes');
    expect(await available(people.cleo.id)).toBe(before);
  });

  it('never gives more than the company has, whatever is sent at the same moment', async () => {
    const company = await available(acme.memberId);
    const cleo = await available(people.cleo.id);
    const gives = Array.from({ length: 6 }, () =>
      post('maria', `/company/${acme.id}/give`, {
        address: people.cleo.email,
        points: String(Math.floor(company / 4)),
        key: crypto.randomUUID(),
      }),
    );
    const statuses = (await Promise.all(gives)).map((r) => r.status).sort();
    expect(statuses).toEqual([303, 303, 303, 303, 400, 400]);
    expect(await available(acme.memberId)).toBe(company - 4 * Math.floor(company / 4));
    expect(await available(people.cleo.id)).toBe(cleo + 4 * Math.floor(company / 4));
  });
});

it('keeps the ledger whole', async () => {
  expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
});
