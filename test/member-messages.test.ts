import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { Bonus, Member, MemberMessage, ProgramSettings, StaffUser } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { enrolCustomer } from '../loyalty/member-identity.js';
import { updateMemberProfile } from '../loyalty/member-preferences.js';
import { readInbox, type ReceivedMail } from '../wiring/embedded/mail-sink.js';
import { readSmsInbox } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { serveBackOffice } from './support/back-office.js';
import { listen } from './support/http.js';
import { createProgram, days } from './support/program.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

/**
 * The messages members get, as they receive them: the welcome when a store first gives Tessera a
 * verified address (by a real SMTP or SMPP sink, through the outbox and its workflow), the
 * unsubscribe link every one of them carries (over HTTP, without signing in), and the existing
 * reminders that now follow each member's choices. The worker links to the default public URL
 * (http://localhost:3000): the tests follow each link's path on the server they started.
 */
let harness: WorkerHarness;
let p: Awaited<ReturnType<typeof createProgram>>;
let web: { url: string; close: () => Promise<void> };
let store: { id: string; key: string };
const publicUrl = 'http://localhost:3000';

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'member-messages-test');
  const db = harness.db.dataSource;
  p = await createProgram(db);
  await db.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  const { partner } = await p.partner(1_000_000);
  store = { id: partner.id, key: (await issueApiKey(db.manager, partner.id, 'test')).secret };
  web = await listen(createWebApp({ health: {}, api: { dataSource: db, ledger: p.ledger, processes: harness.processes } }));
}, 120_000);
afterAll(async () => {
  await web?.close();
  await harness?.stop();
});

async function event(member: Record<string, unknown>) {
  const response = await fetch(`${web.url}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${store.key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ member, type: 'review' }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

const mailTo = async (address: string) => (await readInbox(harness.sink.directory)).filter((m) => m.to.includes(address));
const textsTo = async (number: string) => (await readSmsInbox(harness.smsSink.directory)).filter((sms) => sms.to === number);
const messagesOf = (memberId: string) => harness.db.dataSource.manager.find(MemberMessage, { where: { memberId } });
const memberByEmail = (email: string) => harness.db.dataSource.manager.findOneByOrFail(Member, { email });
/** Waits until the member's messages are all delivered or given up (the workflow records either). */
const settled = (memberId: string) =>
  expect
    .poll(async () => (await messagesOf(memberId)).every((m) => m.sentAt !== null || m.notSentReason !== null), { timeout: 20_000 })
    .toBe(true);

/** The one-click address of an email: the URL in its List-Unsubscribe header, checked against RFC 8058's pair. */
function oneClickAddress(mail: ReceivedMail): string {
  expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
  const [, url] = /^<(https?:\/\/[^>]+)>$/.exec(mail.headers['list-unsubscribe'] ?? '') ?? [];
  expect(url, mail.headers['list-unsubscribe']).toMatch(new RegExp(`^${publicUrl}/unsubscribe\\?t=[A-Za-z0-9_-]+$`));
  // The same link, visible in the message.
  expect(mail.text).toContain(url);
  return url!;
}

/** A link the worker made, on the test's server. */
const onTestServer = (link: string) => `${web.url}${new URL(link).pathname}${new URL(link).search}`;

describe('the welcome', () => {
  it('is emailed once, when a store first sends a verified email, with the dashboard link and a one-click unsubscribe', async () => {
    await event({ externalId: 'welcome-ann', email: 'welcome-ann@example.test', emailVerified: true });
    await expect.poll(() => mailTo('welcome-ann@example.test'), { timeout: 20_000 }).toHaveLength(1);
    const [welcome] = await mailTo('welcome-ann@example.test');
    expect(welcome!.subject).toBe('Welcome to Tessera');
    expect(welcome!.text).toContain(`${publicUrl}/member`);
    oneClickAddress(welcome!);
    // The same address again, at another event: no second welcome.
    await event({ externalId: 'welcome-ann', email: 'welcome-ann@example.test', emailVerified: true });
    const member = await memberByEmail('welcome-ann@example.test');
    await settled(member.id);
    expect(await messagesOf(member.id)).toMatchObject([{ kind: 'welcome', channel: 'email', notSentReason: null }]);
    expect(await mailTo('welcome-ann@example.test')).toHaveLength(1);
  });

  it('is texted to a member a store knows by a verified phone only, ending with a short unsubscribe link', async () => {
    await event({ externalId: 'welcome-bob', phone: '+33 6 12 34 56 01', phoneVerified: true });
    await expect.poll(() => textsTo('+33612345601'), { timeout: 20_000 }).toHaveLength(1);
    const [text] = await textsTo('+33612345601');
    expect(text!.text).toContain(`${publicUrl}/member`);
    expect(text!.text).toMatch(new RegExp(`Stop: ${publicUrl}/unsubscribe\\?t=[A-Za-z0-9_-]{40,50}$`));
  });

  it('waits for a verified address, and is not sent to a member who turned welcome emails off', async () => {
    await event({ externalId: 'welcome-cy', email: 'welcome-cy@example.test' });
    const provisional = await memberByEmail('welcome-cy@example.test');
    expect(await messagesOf(provisional.id)).toEqual([]);
    await updateMemberProfile(harness.db.dataSource.manager, provisional.id, { preferences: { welcome: { email: false } } });
    await event({ externalId: 'welcome-cy', email: 'welcome-cy@example.test', emailVerified: true });
    await settled(provisional.id);
    const [message] = await messagesOf(provisional.id);
    expect(message).toMatchObject({ kind: 'welcome', sentAt: null, channel: null });
    expect(message!.notSentReason).toMatch(/turned .*off/);
    expect(await mailTo('welcome-cy@example.test')).toEqual([]);
  });

  it('is sent after a crash between the commit and the start, once however many times it is started', async () => {
    // Enrolled, but the process died before starting the welcome: the outbox still holds it.
    const { member } = await harness.db.dataSource.transaction((manager) =>
      enrolCustomer(manager, p.ledger, {
        partnerId: store.id,
        customerId: 'welcome-dee',
        email: 'welcome-dee@example.test',
        emailVerified: true,
      }),
    );
    expect(await mailTo('welcome-dee@example.test')).toEqual([]);
    await Promise.all([harness.processes.dispatchQueued(), harness.processes.dispatchQueued()]);
    await harness.processes.dispatchQueued();
    await settled(member.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await mailTo('welcome-dee@example.test')).toHaveLength(1);
  });
});

describe('the notice of a store that links a member', () => {
  /** A second store, with its own key, that says it verified addresses. */
  async function otherStore() {
    const db = harness.db.dataSource;
    const { partner } = await p.partner(1_000_000);
    return { id: partner.id, name: partner.name, key: (await issueApiKey(db.manager, partner.id, 'test')).secret };
  }
  async function eventAt(at: { key: string }, member: Record<string, unknown>) {
    const response = await fetch(`${web.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${at.key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ member, type: 'review' }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  }
  const noticesTo = async (address: string) => (await mailTo(address)).filter((m) => m.subject !== 'Welcome to Tessera');

  it('tells the member, once, which store now knows them by the address it says it verified, and how to unlink it', async () => {
    await event({ externalId: 'link-eve', email: 'link-eve@example.test', emailVerified: true });
    const eve = await memberByEmail('link-eve@example.test');
    await settled(eve.id);
    const second = await otherStore();
    await eventAt(second, { externalId: 'their-eve', email: 'link-eve@example.test', emailVerified: true });
    await expect.poll(() => noticesTo('link-eve@example.test'), { timeout: 20_000 }).toHaveLength(1);
    const [notice] = await noticesTo('link-eve@example.test');
    expect(notice!.subject).toBe(`${second.name} linked your Tessera account`);
    expect(notice!.text).toContain(`${publicUrl}/member/stores`);
    // A security notice: not one the member can turn off, so no unsubscribe link.
    expect(notice!.headers['list-unsubscribe']).toBeUndefined();
    // The same customer again: already linked, nothing more to tell.
    await eventAt(second, { externalId: 'their-eve', email: 'link-eve@example.test', emailVerified: true });
    await settled(eve.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await noticesTo('link-eve@example.test')).toHaveLength(1);
  });

  it("tells the member when a store's customer known only there turns out to be them (a merge)", async () => {
    await event({ externalId: 'link-fay', email: 'link-fay@example.test', emailVerified: true });
    const fay = await memberByEmail('link-fay@example.test');
    const second = await otherStore();
    await eventAt(second, { externalId: 'their-fay' });
    await eventAt(second, { externalId: 'their-fay', email: 'link-fay@example.test', emailVerified: true });
    await expect.poll(() => noticesTo('link-fay@example.test'), { timeout: 20_000 }).toHaveLength(1);
    expect((await noticesTo('link-fay@example.test'))[0]!.subject).toBe(`${second.name} linked your Tessera account`);
    await settled(fay.id);
  });
});

describe('the unsubscribe link', () => {
  const snapshot = () => harness.db.dataSource.query(`SELECT id, "messagePreferences" FROM member ORDER BY id`);

  it('shows what it stops and a button, changing nothing until the button is pressed (or a mail client posts)', async () => {
    await event({ externalId: 'unsub-eve', email: 'unsub-eve@example.test', emailVerified: true });
    await expect.poll(() => mailTo('unsub-eve@example.test'), { timeout: 20_000 }).toHaveLength(1);
    const link = onTestServer(oneClickAddress((await mailTo('unsub-eve@example.test'))[0]!));
    const before = await snapshot();

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('welcome messages');
    expect(html).toContain('u•••@example.test');
    expect(html).toMatch(/<form method="post" action="\/unsubscribe\?t=[A-Za-z0-9_-]+">/);
    expect(html).toMatch(/<button[^>]*>Unsubscribe<\/button>/);
    expect(await snapshot()).toEqual(before);

    // RFC 8058: the mail client posts List-Unsubscribe=One-Click, and gets a 200.
    const oneClick = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.text()).toContain('You will no longer get welcome messages by email');
    const member = await memberByEmail('unsub-eve@example.test');
    expect(member.messagePreferences).toEqual({ welcome: { email: false } });
    // Pressed again (a second click, a retry): the same answer, nothing else changed.
    expect((await fetch(link, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) })).status).toBe(200);
    const after = await snapshot();
    expect(after.filter((row: { id: string }) => row.id !== member.id)).toEqual(
      before.filter((row: { id: string }) => row.id !== member.id),
    );
  });

  it('answers a forged, altered or missing token with a clear 400 page, and changes nothing', async () => {
    await event({ externalId: 'unsub-fay', email: 'unsub-fay@example.test', emailVerified: true });
    await expect.poll(() => mailTo('unsub-fay@example.test'), { timeout: 20_000 }).toHaveLength(1);
    const link = new URL(onTestServer(oneClickAddress((await mailTo('unsub-fay@example.test'))[0]!)));
    const token = link.searchParams.get('t')!;
    const before = await snapshot();
    const forged = [
      `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`,
      token.slice(0, -2),
      'A'.repeat(token.length),
      'not-a-token',
    ];
    for (const t of forged) {
      for (const method of ['GET', 'POST']) {
        const answer = await fetch(`${web.url}/unsubscribe?t=${encodeURIComponent(t)}`, {
          method,
          body: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined,
        });
        expect(answer.status, `${method} ${t}`).toBe(400);
        expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
        expect(await answer.text()).toContain('This unsubscribe link is not valid');
      }
    }
    expect((await fetch(`${web.url}/unsubscribe`)).status).toBe(400);
    expect((await fetch(`${web.url}/unsubscribe?t=a&t=b`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(link, { method: 'PUT' })).status).toBe(405);
    expect(await snapshot()).toEqual(before);
  });
});

describe('the reminders members had already', () => {
  it('warns of expiring points by email with an unsubscribe link, except members who turned expiry emails off', async () => {
    const db = harness.db.dataSource;
    const { wallet } = await p.partner(1_000);
    const told = await p.member('expiry-told');
    const quiet = await p.member('expiry-quiet');
    for (const [name, account] of [
      ['expiry-told', told.account],
      ['expiry-quiet', quiet.account],
    ] as const) {
      await p.ledger.transfer({
        source: 'test',
        key: `${name}-earn`,
        legs: [{ debitAccountId: wallet.id, creditAccountId: account.id, amount: 30, kind: 'earn', expiresAt: days(10) }],
      });
    }
    await updateMemberProfile(db.manager, quiet.member.id, { preferences: { expiry: { email: false } } });
    await harness.env.client.workflow.execute('pointsExpiryWorkflow', {
      taskQueue: harness.taskQueue,
      workflowId: `points-expiry-${randomUUID()}`,
      args: [{ alertDays: [30] }],
    });
    const [warning] = await mailTo('expiry-told@example.test');
    expect(warning!.subject).toMatch(/^30 of your points expire on/);
    const link = onTestServer(oneClickAddress(warning!));
    expect(await (await fetch(link)).text()).toContain('reminders of points about to expire');
    expect(await mailTo('expiry-quiet@example.test')).toEqual([]);
  });

  it('gives the reactivation bonus to every inactive member, and emails only those who did not turn it off', async () => {
    const db = harness.db.dataSource;
    await db.manager.insert(Bonus, { name: 'We miss you', moment: 'reactivation', points: 15, inactivityDays: 20 });
    const told = await p.member('inactive-told');
    const quiet = await p.member('inactive-quiet');
    await db.query(`UPDATE member SET "enrolledAt" = now() - interval '40 days' WHERE id = ANY($1::uuid[])`, [
      [told.member.id, quiet.member.id],
    ]);
    await updateMemberProfile(db.manager, quiet.member.id, { preferences: { reactivation: { email: false } } });
    await harness.env.client.workflow.execute('reactivationWorkflow', {
      taskQueue: harness.taskQueue,
      workflowId: `reactivation-${randomUUID()}`,
    });
    expect(await p.available(told.account.id)).toBe(15);
    expect(await p.available(quiet.account.id)).toBe(15);
    const [email] = await mailTo('inactive-told@example.test');
    expect(email!.subject).toBe('We missed you: 15 bonus points are waiting');
    oneClickAddress(email!);
    expect(await mailTo('inactive-quiet@example.test')).toEqual([]);
    await db.manager.update(Bonus, { moment: 'reactivation' }, { active: false });
  });
});

describe('the birthday settings in the back office', () => {
  it('refuses impossible values under their fields, saves good ones', async () => {
    const db = harness.db.dataSource;
    await db.manager.insert(StaffUser, {
      email: 'birthday-manager@tessera.test',
      name: 'Program manager',
      role: 'program_manager',
      passwordHash: await hashPassword('a long enough password'),
    });
    const served = await serveBackOffice(harness);
    try {
      const signIn = await fetch(`${served.base}/admin/login`, {
        method: 'POST',
        headers: { origin: served.base },
        body: new URLSearchParams({ email: 'birthday-manager@tessera.test', password: 'a long enough password' }),
        redirect: 'manual',
      });
      const cookie = signIn.headers
        .getSetCookie()
        .find((c) => c.startsWith('tessera_admin='))!
        .split(';')[0]!;
      const edit = async (fields: Record<string, string>) => {
        const form = new FormData();
        for (const [key, value] of Object.entries(fields)) form.append(key, value);
        const response = await fetch(`${served.base}/admin/api/resources/ProgramSettings/records/1/edit`, {
          method: 'POST',
          body: form,
          headers: { cookie, origin: served.base },
        });
        return (await response.json()) as { record: { errors: Record<string, { message: string }> }; notice: { type: string } };
      };
      const refused = await edit({
        birthdayGreetings: 'true',
        birthdayBonusPoints: '-5',
        birthdayDaysBefore: '40',
        birthdayChannel: 'fax',
      });
      expect(refused.record.errors.birthdayBonusPoints?.message).toMatch(/whole number of points/);
      expect(refused.record.errors.birthdayDaysBefore?.message).toMatch(/0 to 31/);
      expect(refused.record.errors.birthdayChannel?.message).toMatch(/email, sms or email_or_sms/);
      expect(await db.manager.findOneByOrFail(ProgramSettings, { id: 1 })).toMatchObject({
        birthdayGreetings: false,
        birthdayBonusPoints: 0,
      });

      const saved = await edit({
        birthdayGreetings: 'true',
        birthdayBonusPoints: '100',
        birthdayDaysBefore: '2',
        birthdayDaysAfter: '5',
        birthdayChannel: 'email_or_sms',
      });
      expect(saved.notice.type).toBe('success');
      expect(await db.manager.findOneByOrFail(ProgramSettings, { id: 1 })).toMatchObject({
        birthdayGreetings: true,
        birthdayBonusPoints: 100,
        birthdayDaysBefore: 2,
        birthdayDaysAfter: 5,
        birthdayChannel: 'email_or_sms',
      });
    } finally {
      await served.close();
      await db.manager.update(ProgramSettings, { id: 1 }, { birthdayGreetings: false });
    }
  });
});
