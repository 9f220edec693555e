import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import {
  ApiKey,
  AuditEntry,
  LedgerAccount,
  Partner,
  PointOfSale,
  PointPackage,
  ProgramSettings,
  SentEmail,
  StaffInvitation,
  StaffUser,
} from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { inviteStaffUser, tokenForInvitation } from '../loyalty/staff-invitations.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { serveBackOffice } from './support/back-office.js';
import { pdfText } from './support/pdf-text.js';
import { createProgram } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * Onboarding a partner in one step, through the back office's own API routes (what its pages
 * call): the partner, its wallet, first point of sale and invited user; the invitation's link; the
 * partner's own API keys; its invoices as PDF.
 */
let harness: WorkerHarness;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let other: Partner;
let otherKey: ApiKey;
let starter: PointPackage;
const password = 'a-long-enough-password';

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'partner-onboarding-test');
  const db = harness.db.dataSource;
  const p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, invoiceIssuer: 'Tessera Coalition B.V.', vatRatePercent: 21 });
  starter = await db.manager.save(
    db.manager.create(PointPackage, { code: 'starter', name: 'Starter', points: 100_000, priceCents: 121_000, currency: 'EUR' }),
  );
  other = (await p.partner(1_000, 'other-shop')).partner;
  otherKey = (await issueApiKey(db.manager, other.id, 'checkout')).key;
  await db.query(
    `INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ('ops@tessera.test', 'Olga Operator', 'operator_admin', $1)`,
    [await hashPassword(password)],
  );
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

async function signIn(email: string, secret = password): Promise<string | null> {
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email, password: secret }),
    redirect: 'manual',
  });
  if (response.status !== 302) return null;
  return response.headers
    .getSetCookie()
    .find((c) => c.startsWith('tessera_admin='))!
    .split(';')[0]!;
}

async function call(cookie: string, method: 'GET' | 'POST', path: string, fields: Record<string, string> = {}) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  const response = await fetch(`${base}/admin/api/resources/${path}`, {
    method,
    headers: { cookie, origin: base },
    redirect: 'manual',
    ...(method === 'POST' ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

const api = (key: string, path: string, body?: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: body ? JSON.stringify(body) : undefined,
  });

async function invitationMail(to: string) {
  for (let waited = 0; waited < 30_000; waited += 200) {
    const mail = (await readInbox(harness.sink.directory)).find((m) => m.to.includes(to));
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no invitation reached ${to}`);
}

const tokenOf = (text: string) => /set-password\?token=([A-Za-z0-9_-]+)/.exec(text)![1]!;

const form = (code: string, email: string) => ({
  name: 'Bloem & Zo',
  code,
  kind: 'physical_store',
  contactEmail: 'books@bloem.test',
  pointOfSaleName: 'Bloem Utrecht',
  pointOfSaleCode: 'utrecht-1',
  pointOfSaleChannel: 'store',
  inviteName: 'Bea Bloem',
  inviteEmail: email,
});

describe('a new partner in one step', () => {
  let partnerId: string;

  it('refuses a form with faults under each field, and saves nothing', async () => {
    const ops = (await signIn('ops@tessera.test'))!;
    const refused = await call(ops, 'POST', 'Partner/actions/new', {
      ...form('Not A Code', 'OPS@tessera.test'),
      pointOfSaleCode: 'has spaces',
      pointOfSaleChannel: 'fax',
      inviteName: '',
    });
    expect(refused.status).toBe(200);
    const errors = refused.json.record.errors;
    expect(Object.keys(errors).sort()).toEqual(['code', 'inviteEmail', 'inviteName', 'pointOfSaleChannel', 'pointOfSaleCode']);
    expect(errors.inviteEmail.message).toBe('is already the email of another staff user');
    expect(await harness.db.dataSource.manager.countBy(Partner, { name: 'Bloem & Zo' })).toBe(0);
    expect(await harness.db.dataSource.manager.countBy(StaffUser, { role: 'partner_user' })).toBe(0);
  });

  it('creates the partner, its wallet, its first point of sale and its user, who cannot sign in yet', async () => {
    const ops = (await signIn('ops@tessera.test'))!;
    const created = await call(ops, 'POST', 'Partner/actions/new', form('bloem', 'bea@bloem.test'));
    expect(created.status).toBe(200);
    expect(created.json.notice.message).toContain('bea@bloem.test is invited');
    const m = harness.db.dataSource.manager;
    const partner = await m.findOneByOrFail(Partner, { code: 'bloem' });
    partnerId = partner.id;
    expect(created.json.redirectUrl).toContain(`/Partner/records/${partner.id}/show`);
    expect(await m.countBy(LedgerAccount, { partnerId: partner.id, kind: 'partner_wallet' })).toBe(1);
    expect(await m.findOneBy(PointOfSale, { partnerId: partner.id })).toMatchObject({
      code: 'utrecht-1',
      name: 'Bloem Utrecht',
      channel: 'store',
    });
    expect(await m.findOneBy(StaffUser, { email: 'bea@bloem.test' })).toMatchObject({ role: 'partner_user', partnerId: partner.id });
    expect(await signIn('bea@bloem.test', '')).toBeNull();
    const audit = await m.findOneByOrFail(AuditEntry, { resource: 'Partner', action: 'new', recordId: partner.id });
    expect(audit.after).toMatchObject({ code: 'bloem', pointOfSale: 'utrecht-1', invited: 'bea@bloem.test' });
  });

  it('emails a set-password link that works once, by the password policy, and keeps no readable copy of it', async () => {
    const mail = await invitationMail('bea@bloem.test');
    expect(mail.subject).toBe('Bloem & Zo on Tessera: set your password');
    const token = tokenOf(mail.text);
    expect(await harness.db.dataSource.manager.countBy(SentEmail, { to: 'bea@bloem.test' })).toBe(0);
    const stored = JSON.stringify(await harness.db.dataSource.query(`SELECT * FROM staff_invitation, outbox_entry`));
    expect(stored).not.toContain(token);

    const opened = await fetch(`${base}/admin/set-password?token=${token}`);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Bea Bloem');
    const post = (secret: string) =>
      fetch(`${base}/admin/set-password`, {
        method: 'POST',
        headers: { origin: base },
        body: new URLSearchParams({ token, password: secret }),
      });
    const weak = await post('bea@bloem.test!!');
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain('The password must not contain the email address.');
    const set = await post('tulips-in-the-spring');
    expect(set.status).toBe(200);
    expect(await set.text()).toContain('Your password is set');
    expect(await signIn('bea@bloem.test', 'tulips-in-the-spring')).not.toBeNull();

    const again = await post('another-long-password');
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link has already been used');
    const reopened = await fetch(`${base}/admin/set-password?token=${token}`);
    expect(await reopened.text()).toContain('This link has already been used');
    expect(await signIn('bea@bloem.test', 'another-long-password')).toBeNull();
  });

  it('says plainly when a link has expired or is not one', async () => {
    const db = harness.db.dataSource;
    const { invitation } = await inTransaction(db, (m) =>
      inviteStaffUser(
        m,
        { email: 'late@bloem.test', name: 'Late Larry', role: 'partner_user', partnerId },
        new Date(Date.now() - 8 * 86_400_000),
      ),
    );
    const { token } = (await tokenForInvitation(db.manager, invitation.id))!;
    const expired = await fetch(`${base}/admin/set-password?token=${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/This link expired on .* UTC: ask the operator for a new invitation/);
    const unknown = await fetch(`${base}/admin/set-password?token=not-a-token`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('This link does not set a password');
    expect((await db.manager.findOneByOrFail(StaffInvitation, { id: invitation.id })).usedAt).toBeNull();
  });

  it('lets the operator invite again an account whose link expired: the new link works, the old one not, and Bea with a password is not offered it', async () => {
    const ops = (await signIn('ops@tessera.test'))!;
    const m = harness.db.dataSource.manager;
    const larry = await m.findOneByOrFail(StaffUser, { email: 'late@bloem.test' });
    const shown = await call(ops, 'GET', `StaffUser/records/${larry.id}/show`);
    expect(shown.json.record.params.signIn).toBe('Invited: cannot sign in until the password is set through the emailed link');
    expect(shown.json.record.recordActions.map((a: { name: string }) => a.name)).toContain('resendInvitation');

    const resent = await call(ops, 'POST', `StaffUser/records/${larry.id}/resendInvitation`);
    expect(resent.status).toBe(200);
    expect(resent.json.notice.message).toContain('late@bloem.test is invited again');
    // Only the latest email's link opens the form; any sent before no longer does.
    const opens = async (mail: { text: string }) => (await fetch(`${base}/admin/set-password?token=${tokenOf(mail.text)}`)).status;
    let mails: Awaited<ReturnType<typeof readInbox>> = [];
    for (let waited = 0; waited < 30_000; waited += 200) {
      mails = (await readInbox(harness.sink.directory)).filter((mail) => mail.to.includes('late@bloem.test'));
      if ((await Promise.all(mails.map(opens))).includes(200)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await Promise.all(mails.map(opens))).filter((status) => status === 200)).toHaveLength(1);
    expect(await m.findOneBy(AuditEntry, { resource: 'StaffUser', action: 'resendInvitation', recordId: larry.id })).not.toBeNull();

    const bea = await m.findOneByOrFail(StaffUser, { email: 'bea@bloem.test' });
    const beaShown = await call(ops, 'GET', `StaffUser/records/${bea.id}/show`);
    expect(beaShown.json.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('resendInvitation');
    expect((await call(ops, 'POST', `StaffUser/records/${bea.id}/resendInvitation`)).json.notice.type).toBe('info');
  });
});

describe("a partner's own API keys", () => {
  it('are made, rotated and revoked by its user, the API following at once; another partner’s are refused', async () => {
    const bea = (await signIn('bea@bloem.test', 'tulips-in-the-spring'))!;
    const partner = await harness.db.dataSource.manager.findOneByOrFail(Partner, { code: 'bloem' });
    const made = await call(bea, 'POST', `Partner/records/${partner.id}/createApiKey`);
    expect(made.status).toBe(200);
    const first: string = made.json.secret;
    expect((await api(first, '/wallet')).status).toBe(200);

    const [key] = await harness.db.dataSource.manager.findBy(ApiKey, { partnerId: partner.id });
    const rotated = await call(bea, 'POST', `ApiKey/records/${key!.id}/rotate`);
    const second: string = rotated.json.secret;
    expect(second).toMatch(/^tk_/);
    expect((await api(second, '/wallet')).status).toBe(200);
    // A rotation revokes the old key at once (see README): a leaked key stops working now.
    expect((await api(first, '/wallet')).status).toBe(401);

    const current = (await harness.db.dataSource.manager.findBy(ApiKey, { partnerId: partner.id })).find((k) => !k.revokedAt)!;
    expect((await call(bea, 'POST', `ApiKey/records/${current.id}/revoke`)).status).toBe(200);
    const refused = await api(second, '/wallet');
    expect(refused.status).toBe(401);

    expect((await call(bea, 'POST', `ApiKey/records/${otherKey.id}/rotate`)).status).toBe(403);
    expect((await call(bea, 'POST', `ApiKey/records/${otherKey.id}/revoke`)).status).toBe(403);
    expect((await call(bea, 'POST', `Partner/records/${other.id}/createApiKey`)).status).toBe(403);
    expect(await harness.db.dataSource.manager.findOneByOrFail(ApiKey, { id: otherKey.id })).toMatchObject({ revokedAt: null });
    const audited = await harness.db.dataSource.manager.findBy(AuditEntry, { resource: 'ApiKey', staffEmail: 'bea@bloem.test' });
    expect(audited.map((entry) => entry.action).sort()).toEqual(['new', 'revoke', 'rotate']);
  });
});

describe('invoices as PDF', () => {
  it('gives the partner its own invoice with the issuer, the amounts in currency and VAT; another partner’s is refused', async () => {
    const ops = (await signIn('ops@tessera.test'))!;
    const partner = await harness.db.dataSource.manager.findOneByOrFail(Partner, { code: 'bloem' });
    const sold = await call(ops, 'POST', 'Invoice/actions/new', { partnerId: partner.id, packageId: starter.id });
    expect(sold.json.notice.message).toContain('Sold: invoice');
    const soldToOther = await call(ops, 'POST', 'Invoice/actions/new', { partnerId: other.id, packageId: starter.id });
    const invoiceId: string = sold.json.record.id;

    const bea = (await signIn('bea@bloem.test', 'tulips-in-the-spring'))!;
    const download = await call(bea, 'GET', `Invoice/records/${invoiceId}/downloadPdf`);
    expect(download.status).toBe(200);
    const { filename, base64 } = download.json.pdf as { filename: string; base64: string };
    const pdf = Buffer.from(base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(filename).toMatch(/^TES-\d{4}-\d{6}\.pdf$/);
    const text = pdfText(pdf).join('\n');
    expect(text).toContain('Tessera Coalition B.V.');
    expect(text).toContain('Bloem & Zo');
    expect(text).toContain(filename.replace('.pdf', ''));
    expect(text).toContain('Point package Starter (starter)');
    expect(text).toContain('100,000 points');
    expect(text).toContain('€1,000.00'); // net
    expect(text).toContain('VAT 21%');
    expect(text).toContain('€210.00'); // VAT
    expect(text).toContain('€1,210.00'); // gross

    expect((await call(bea, 'GET', `Invoice/records/${soldToOther.json.record.id}/downloadPdf`)).status).toBe(403);
  });
});
