import { randomBytes, randomUUID } from 'node:crypto';
import type { ActionContext, BaseResource } from 'adminjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BackOffice } from '../admin/back-office.js';
import { hashPassword } from '../admin/passwords.js';
import { mayRun, partnerScope } from '../admin/permissions.js';
import type { StaffSession } from '../admin/staff-sign-in.js';
import {
  AuditEntry,
  CareAdjustment,
  Challenge,
  CreditProgram,
  ErasureRequest,
  ExchangeRate,
  FulfilmentOrder,
  Member,
  MessageCampaign,
  Partner,
  Payment,
  Receipt,
  StaffUser,
  WebhookDelivery,
  WebhookEndpoint,
} from '../entities/index.js';
import { createCampaign } from '../loyalty/campaigns/campaigns.js';
import { saveBadge } from '../loyalty/engagement/badge-form.js';
import { saveInstantWinCampaign } from '../loyalty/engagement/instant-win-form.js';
import { saveLeaderboard } from '../loyalty/engagement/leaderboard-form.js';
import { createFundingSource } from '../loyalty/funding-sources/funding-sources.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { computeSettlement } from '../loyalty/settlement/settlement-statements.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';
import { demoLogins, demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import type { TestDatabase } from './support/database.js';
import { serveBackOffice } from './support/back-office.js';
import { campaignDraft } from './support/campaign-draft.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let db: TestDatabase;
let backOffice: BackOffice;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
let partners: Partner[];
/** Every stored secret: none may appear in any answer of the back office, to anyone. */
let secrets: string[];

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'back-office-authorization-test');
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  partners = await db.dataSource.manager.find(Partner, { order: { code: 'ASC' } });
  // Each partner listens to its events, so that every partner-scoped resource has a record of each.
  for (const partner of partners) {
    await db.dataSource.manager.insert(WebhookEndpoint, {
      partnerId: partner.id,
      url: `https://hooks.${partner.code}.test/tessera`,
      events: ['points.earned'],
      secret: `whsec_${randomBytes(18).toString('base64url')}`,
    });
  }
  // Makes the installation's widget secret.
  // Each partner's own campaign: no partner user may reach another's.
  for (const partner of partners) {
    await inTransaction(db.dataSource, (m) =>
      createCampaign(m, campaignDraft({ name: `${partner.name} week`, ownerPartnerId: partner.id }), `staff@${partner.code}.test`),
    );
  }
  // Each partner's own closed store-credit program, and a rate: no partner user may reach another's program.
  for (const partner of partners) {
    await db.dataSource.manager.insert(CreditProgram, {
      name: `${partner.name} club`,
      ownerPartnerId: partner.id,
      currency: 'EUR',
      partnerIds: [partner.id],
      cashbackFixedMinor: 100,
    });
  }
  // Each partner's own challenge (a draft: it counts nothing): no partner user may see another's.
  for (const partner of partners) {
    await db.dataSource.manager.insert(Challenge, {
      name: `${partner.name} streak`,
      partnerId: partner.id,
      fundingPartnerId: partner.id,
      metric: 'purchase_count',
      target: 3,
      period: 'monthly',
      startsAt: new Date('2026-01-01T00:00:00Z'),
      rewardPoints: 30,
    });
  }
  // Each partner's own badge, leaderboard and winning-moments campaign (drafts): no partner user may see another's.
  for (const partner of partners) {
    const editor = { kind: 'partner' as const, partnerId: partner.id };
    await inTransaction(db.dataSource, async (m) => {
      await saveBadge(
        m,
        { name: `${partner.name} regular`, description: 'Ten visits', emblem: 'star', rule: 'purchase_count', threshold: '10' },
        editor,
      );
      await saveLeaderboard(
        m,
        { name: `${partner.name} league`, metric: 'points_earned', period: 'weekly', startsAt: '2026-01-01T00:00:00Z' },
        editor,
      );
      await saveInstantWinCampaign(
        m,
        {
          name: `${partner.name} lucky hour`,
          mode: 'probability',
          winChance: '10',
          startsAt: '2026-01-01T00:00:00Z',
          endsAt: '2026-01-02T00:00:00Z',
          prizePoints: '50',
          prizeBudget: '5',
        },
        editor,
      );
    });
  }
  // Each partner's own budget: no partner user may see another's.
  for (const partner of partners) {
    await inTransaction(db.dataSource, (m) =>
      createFundingSource(m, {
        code: `${partner.code}-budget`,
        name: `${partner.name} budget`,
        kind: 'partner',
        ownerPartnerId: partner.id,
        lowBalanceThreshold: 0,
        alertEmail: null,
      }),
    );
  }
  // Each partner's own payment at its checkout: no partner user may see another's.
  const [someone] = await db.dataSource.manager.find(Member, { take: 1 });
  for (const partner of partners) {
    await db.dataSource.manager.insert(Payment, {
      partnerId: partner.id,
      memberId: someone!.id,
      orderReference: `order-${partner.code}`,
      tender: 'points',
      basketAmountMinor: 2_000,
      eligibleAmountMinor: 2_000,
      currency: 'EUR',
      pointValueMinor: 1,
      pointsAuthorized: 100,
      status: 'voided',
      holdTransferId: randomUUID(),
      expiresAt: new Date(),
      idempotencyKey: randomUUID(),
    });
  }
  await db.dataSource.manager.insert(ExchangeRate, {
    fromCurrency: 'USD',
    toCurrency: 'EUR',
    rate: 0.9,
    validFrom: new Date('2026-01-01'),
  });
  await mintWidgetToken(db.dataSource.manager, { partnerId: partners[0]!.id, externalId: 'demo-001' });
  // A record of each resource the demo leaves empty, so that every record action is asked for.
  const [endpoint] = await db.dataSource.manager.find(WebhookEndpoint, { take: 1 });
  await db.dataSource.manager.insert(WebhookDelivery, { endpointId: endpoint!.id, event: 'points.earned', payload: {} });
  await db.dataSource.manager.insert(CareAdjustment, {
    memberExternalId: 'demo-001',
    points: 900,
    reason: 'A parcel that never came',
    requestedBy: 'care@tessera.demo',
    status: 'awaiting_approval',
  });
  await db.dataSource.manager.insert(AuditEntry, { staffEmail: 'operator@tessera.demo', action: 'edit', resource: 'Tier', recordId: null });
  const [member] = await db.dataSource.query(`SELECT id FROM member LIMIT 1`);
  // A receipt waiting for care (operator staff only).
  await db.dataSource.manager.insert(Receipt, {
    memberId: member.id,
    source: 'dashboard',
    imageKey: 'demo.png',
    imageType: 'image/png',
    status: 'review',
  });
  // A message campaign waiting for its time (operator staff only).
  const [segment] = await db.dataSource.query(`SELECT id FROM segment LIMIT 1`);
  await db.dataSource.manager.insert(MessageCampaign, {
    name: 'We miss you',
    segmentId: segment.id,
    channel: 'email',
    subject: 'Come back',
    body: 'Double points this week',
    sendAt: new Date('2027-01-04T10:00:00Z'),
    ratePerMinute: 10,
    holdoutPercent: 10,
    returnWindowDays: 7,
    createdBy: 'operator@tessera.demo',
  });
  await db.dataSource.manager.insert(ErasureRequest, { memberId: member.id, reason: 'Letter of 2 May', requestedBy: 'care@tessera.demo' });
  const [redemption] = await db.dataSource.query(`SELECT id FROM redemption LIMIT 1`);
  await db.dataSource.manager.insert(FulfilmentOrder, {
    redemptionId: redemption.id,
    supplier: 'manual',
    supplierOrderId: `manual-${redemption.id}`,
    orderedAt: new Date(),
  });
  secrets = [
    ...(await db.dataSource.query(`SELECT "secretHash" AS s FROM api_key`)),
    ...(await db.dataSource.query(`SELECT secret AS s FROM webhook_endpoint`)),
    ...(await db.dataSource.query(`SELECT "passwordHash" AS s FROM staff_user`)),
    ...(await db.dataSource.query(`SELECT "widgetSecret" AS s FROM program_settings`)),
  ].map((row: { s: string }) => row.s);
  // Last month's settlement statements: one per partner, and the operator's.
  const now = new Date();
  await computeSettlement(db.dataSource, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7));
  served = await serveBackOffice(harness);
  backOffice = served.backOffice;
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

/** Signs in through the login form; the session cookie, or null when the sign-in is refused. */
async function signIn(email: string, password = demoPassword): Promise<string | null> {
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email, password }),
    redirect: 'manual',
  });
  if (response.status !== 302) return null;
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tessera_admin='));
  return cookie ? cookie.split(';')[0]! : null;
}

interface Answer {
  status: number;
  body: string;
}

async function call(cookie: string, method: 'GET' | 'POST', path: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { cookie, origin: base },
    redirect: 'manual',
    ...(method === 'POST' ? { body: new FormData() } : {}),
  });
  return { status: response.status, body: await response.text() };
}

async function addStaffUser(email: string, role: string, partnerId: string | null) {
  await db.dataSource.query(
    `INSERT INTO staff_user (email, name, role, "partnerId", "passwordHash") VALUES ($1, 'Test user', $2, $3, $4)`,
    [email, role, partnerId, await hashPassword(demoPassword)],
  );
}

const koffieCorner = () => partners.find((p) => p.code === 'koffie-corner')!;

describe('the authorization matrix', () => {
  it('answers every role, on every resource and action AdminJS exposes, 200 or 403 as allowed, leaking no other partner and no secret', async () => {
    const manager = db.dataSource.manager;
    // Who asks: the six roles, and two accounts that turn invalid after signing in (an unknown role,
    // a partner user whose partner was removed): they must be refused everything.
    const users: { label: string; cookie: string; session: StaffSession | null }[] = [];
    for (const login of demoLogins) {
      const stored = await manager.findOneByOrFail(StaffUser, { email: login.email });
      users.push({
        label: login.role,
        cookie: (await signIn(login.email))!,
        session: { id: stored.id, email: stored.email, title: login.role, role: login.role, partnerId: stored.partnerId },
      });
    }
    await addStaffUser('turned-superuser@tessera.test', 'care_agent', null);
    await addStaffUser('turned-partnerless@tessera.test', 'partner_user', koffieCorner().id);
    users.push({ label: 'unknown role', cookie: (await signIn('turned-superuser@tessera.test'))!, session: null });
    users.push({ label: 'partnerless partner user', cookie: (await signIn('turned-partnerless@tessera.test'))!, session: null });
    for (const user of users) expect(user.cookie, user.label).toBeTruthy();
    await db.dataSource.query(`UPDATE staff_user SET role = 'superuser' WHERE email = 'turned-superuser@tessera.test'`);
    await db.dataSource.query(`UPDATE staff_user SET "partnerId" = NULL WHERE email = 'turned-partnerless@tessera.test'`);

    const own = koffieCorner();
    const foreign = partners.filter((p) => p.id !== own.id);
    // The records of other partners, by id: a partner user must never see one of these ids.
    const foreignIds = new Set(foreign.map((p) => p.id));
    const samples = new Map<string, { id: string; owner: string | null }[]>();
    for (const resource of backOffice.admin.resources) {
      const name = resource.id();
      const repository = db.dataSource.getRepository(name);
      const column = partnerScope[name];
      const rows: { id: string; owner: string | null }[] = [];
      if (column) {
        for (const partner of partners) {
          const owned = await repository.find({ where: { [column]: partner.id }, take: 50 });
          expect(owned.length, `${name} of ${partner.code}`).toBeGreaterThan(0);
          rows.push({ id: String(owned[0]!.id), owner: partner.id });
          if (partner.id !== own.id) for (const row of owned) foreignIds.add(String(row.id));
        }
      } else {
        const [first] = await repository.find({ take: 1 });
        expect(first, name).toBeDefined();
        rows.push({ id: String(first!.id), owner: null });
      }
      samples.set(name, rows);
    }

    const tally = { requests: 0, ok: 0, forbidden: 0, notRun: 0 };
    const failures = { leaks: [] as string[], secrets: [] as string[], statuses: [] as string[] };
    const check = async (user: (typeof users)[number], method: 'GET' | 'POST', path: string, expected: 200 | 403) => {
      const answer = await call(user.cookie, method, path);
      tally.requests++;
      if (answer.status === 200) tally.ok++;
      if (answer.status === 403) tally.forbidden++;
      const where = `${user.label} ${method} ${path}`;
      if (answer.status !== expected) failures.statuses.push(`${where}: ${answer.status}, expected ${expected}`);
      if (secrets.some((secret) => answer.body.includes(secret))) failures.secrets.push(`${where}: shows a secret`);
      const unseen = user.session?.role === 'partner_user' ? foreignIds : user.session ? [] : partners.map((p) => p.id);
      for (const id of unseen) if (answer.body.includes(id)) failures.leaks.push(`${where}: shows ${id}, not its own`);
    };

    const requests: (() => Promise<void>)[] = [];
    for (const user of users) {
      const context = { currentAdmin: users[0]!.session } as unknown as ActionContext;
      const allowed = async (resource: BaseResource, action: string, recordIds: string[]) => {
        if (!user.session || !mayRun(resource.id(), action, user.session.role)) return false;
        const decorated = resource.decorate().actions[action]!;
        const column = partnerScope[resource.id()];
        for (const id of recordIds) {
          const record = await resource.findOne(id, context);
          if (!record) return false;
          if (user.session.role === 'partner_user' && column && record.params[column] !== user.session.partnerId) return false;
          if (!decorated.isAccessible(user.session as never, record)) return false;
        }
        return recordIds.length > 0 || decorated.isAccessible(user.session as never);
      };
      for (const resource of backOffice.admin.resources) {
        const name = resource.id();
        const decorated = resource.decorate();
        const properties = new Set([
          ...Object.keys(decorated.properties),
          ...db.dataSource.getMetadata(name).columns.map((c) => c.propertyPath),
        ]);
        const records = samples.get(name)!;
        const queryValue = foreign[0]!.id;
        const api = `/admin/api/resources/${name}`;
        for (const [action, definition] of Object.entries(decorated.actions)) {
          const type = definition.isRecordType() ? 'record' : definition.isBulkType() ? 'bulk' : 'resource';
          const reading = ['list', 'search', 'show', 'edit', 'delete'].includes(action) || (type === 'bulk' && action === 'bulkDelete');
          if (type === 'resource') {
            requests.push(async () => {
              const expected = (await allowed(resource, action, [])) ? 200 : 403;
              if (action === 'list') {
                await check(user, 'GET', `${api}/actions/list`, expected);
                await check(user, 'GET', `/admin/resources/${name}`, expected);
                for (const property of properties) {
                  await check(user, 'GET', `${api}/actions/list?filters.${property}=${queryValue}`, expected);
                }
              } else if (action === 'search') {
                await check(user, 'GET', `${api}/search/`, expected);
                for (const property of properties) {
                  await check(user, 'GET', `${api}/search/${queryValue}?searchProperty=${property}`, expected);
                  await check(user, 'GET', `${api}/actions/search/${queryValue}?searchProperty=${property}`, expected);
                }
              } else if (expected === 403) {
                // Changes are only asked of those who must be refused: nothing may change.
                await check(user, 'POST', `${api}/actions/${action}`, 403);
              } else {
                tally.notRun++;
              }
              // A resource action asked for as a record's is refused.
              if (records[0]) await check(user, 'GET', `${api}/records/${records[0].id}/${action}`, 403);
            });
          }
          if (type === 'record') {
            for (const record of records) {
              requests.push(async () => {
                const expected = (await allowed(resource, action, [record.id])) ? 200 : 403;
                if (reading) {
                  await check(user, 'GET', `${api}/records/${record.id}/${action}`, expected);
                  if (action === 'show') await check(user, 'GET', `/admin/resources/${name}/records/${record.id}/show`, expected);
                }
                if (expected === 403) {
                  await check(user, 'GET', `${api}/records/${record.id}/${action}`, 403);
                  await check(user, 'POST', `${api}/records/${record.id}/${action}`, 403);
                } else if (!reading || action !== 'show') {
                  tally.notRun++;
                }
              });
            }
            requests.push(async () => {
              if (records[0]) await check(user, 'GET', `${api}/actions/${action}`, 403);
            });
          }
          if (type === 'bulk' && records.length > 0) {
            requests.push(async () => {
              const ids = records.map((r) => r.id);
              const expected = (await allowed(resource, action, ids)) ? 200 : 403;
              if (reading || expected === 403) await check(user, 'GET', `${api}/bulk/${action}?recordIds=${ids.join(',')}`, expected);
              if (expected === 403) await check(user, 'POST', `${api}/bulk/${action}?recordIds=${ids.join(',')}`, 403);
              else tally.notRun++;
            });
          }
        }
      }
      requests.push(async () => check(user, 'GET', '/admin/api/dashboard', user.session ? 200 : 403));
      requests.push(async () => check(user, 'GET', '/admin', user.session ? 200 : 403));
    }
    // A few at a time: the server sees parallel requests as it would from several browser tabs.
    // AdminJS logs each use of its older search route; the matrix uses it on purpose.
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const queue = [...requests];
    try {
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) await next();
        }),
      );
    } finally {
      log.mockRestore();
    }
    console.log(
      `Authorization matrix: ${tally.requests} requests, ${tally.ok} answered 200, ${tally.forbidden} answered 403; ` +
        `${tally.notRun} allowed changes not run (covered by the back-office tests)`,
    );
    for (const [kind, found] of Object.entries(failures)) expect(found.slice(0, 20), `${found.length} ${kind}`).toEqual([]);
    expect(tally.ok).toBeGreaterThan(0);
  }, 600_000);

  it('shows a partner user its own records, whatever filter or search it sends', async () => {
    const cookie = (await signIn('partner@tessera.demo'))!;
    const own = koffieCorner();
    const other = partners.find((p) => p.code === 'bookbarn')!;
    for (const [resource, column] of Object.entries(partnerScope)) {
      const listed = JSON.parse((await call(cookie, 'GET', `/admin/api/resources/${resource}/actions/list?perPage=500`)).body);
      expect(listed.records.length, resource).toBeGreaterThan(0);
      for (const record of listed.records) expect(record.params[column], resource).toBe(own.id);
      const searched = JSON.parse(
        (await call(cookie, 'GET', `/admin/api/resources/${resource}/search/${other.id}?searchProperty=${column}`)).body,
      );
      expect(searched.records, resource).toEqual([]);
      const filtered = JSON.parse(
        (await call(cookie, 'GET', `/admin/api/resources/${resource}/actions/list?filters.${column}=${other.id}`)).body,
      );
      expect(filtered.records, resource).toEqual([]);
    }
    // What is not a partner's stays readable by all partners.
    for (const resource of ['PointPackage', 'Reward']) {
      const listed = JSON.parse((await call(cookie, 'GET', `/admin/api/resources/${resource}/actions/list`)).body);
      expect(listed.records.length, resource).toBeGreaterThan(0);
    }
  });

  it('reads odd spellings of a request the way AdminJS does: refused, or scoped', async () => {
    const cookie = (await signIn('partner@tessera.demo'))!;
    const own = koffieCorner();
    const other = partners.find((p) => p.code === 'bookbarn')!;
    const [invoice] = await db.dataSource.query(`SELECT id FROM invoice WHERE "partnerId" = $1 LIMIT 1`, [other.id]);
    for (const path of [
      `/admin/API/Resources/Invoice/actions/search/${other.id}?searchProperty=partnerId`,
      `/admin/api/resources/Invoice/actions/list/?filters.partnerId=${other.id}`,
      `/admin/api/resources/Invoice/actions/list?filters.partnerId=${other.id}&filters.partnerId=${own.id}`,
      `/admin/api/resources/Invoice/actions/list?filters%2EpartnerId=${other.id}`,
    ]) {
      const answer = await call(cookie, 'GET', path);
      expect([200, 403], path).toContain(answer.status);
      expect(answer.body, path).not.toContain(other.id);
    }
    for (const path of [
      `/admin/api/resources/Invoice/actions/constructor`,
      `/admin/api/resources/Invoice/records/${invoice.id}/__proto__`,
      `/admin/api/resources/constructor/actions/list`,
      `/admin/api/resources/In%76oice/records/${invoice.id}/show`,
      `/admin/api/resources/Invoice/records/${invoice.id.toUpperCase()}/show`,
      `/admin/api/resources/Invoice/bulk/bulkDelete?recordIds=${invoice.id}&recordIds=${invoice.id}`,
    ]) {
      const answer = await call(cookie, 'GET', path);
      expect(answer.status, path).toBe(403);
      expect(answer.body, path).not.toContain(other.id);
    }
  });

  it('finds nothing by the value of a secret: no filter can guess one', async () => {
    const cookie = (await signIn('operator@tessera.demo'))!;
    const [{ secret }] = await db.dataSource.query(`SELECT secret FROM webhook_endpoint LIMIT 1`);
    const [{ secretHash }] = await db.dataSource.query(`SELECT "secretHash" FROM api_key LIMIT 1`);
    const guesses = [
      `/admin/api/resources/WebhookEndpoint/actions/list?filters.secret=${secret.slice(0, 10)}`,
      `/admin/api/resources/WebhookEndpoint/search/${secret.slice(0, 10)}?searchProperty=secret`,
      `/admin/api/resources/ApiKey/actions/list?filters.secretHash=${secretHash.slice(0, 10)}`,
      `/admin/api/resources/StaffUser/actions/list?filters.passwordHash=scrypt`,
      `/admin/api/resources/ProgramSettings/actions/list?filters.widgetSecret=a`,
    ];
    for (const path of guesses) {
      const answer = await call(cookie, 'GET', path);
      expect(answer.status, path).toBe(200);
      expect(JSON.parse(answer.body).records, path).toEqual([]);
    }
  });
});

describe('staff accounts', () => {
  it('refuses to sign in a user whose role is unknown, or a partner user without a partner', async () => {
    await addStaffUser('superuser@tessera.test', 'superuser', null);
    await addStaffUser('partnerless@tessera.test', 'partner_user', null);
    expect(await signIn('superuser@tessera.test')).toBeNull();
    expect(await signIn('partnerless@tessera.test')).toBeNull();
    const refused = await fetch(`${base}/admin/login`, {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ email: 'partnerless@tessera.test', password: demoPassword }),
      redirect: 'manual',
    });
    expect(await refused.text()).toContain('ask the operator to set its role (and partner)');
    expect(await signIn('analyst@tessera.demo')).not.toBeNull();
  });

  it('refuses to create a staff user with an unknown role, a partner user without a partner, or staff with a partner', async () => {
    const cookie = (await signIn('operator@tessera.demo'))!;
    const create = async (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [key, value] of Object.entries({ name: 'New person', password: 'a long enough password', ...fields })) {
        form.append(key, value);
      }
      const response = await fetch(`${base}/admin/api/resources/StaffUser/actions/new`, {
        method: 'POST',
        body: form,
        headers: { cookie, origin: base },
      });
      return (await response.json()) as { record: { errors: Record<string, { message: string }> }; notice: { type: string } };
    };
    const unknown = await create({ email: 'root@tessera.test', role: 'superuser' });
    expect(unknown.record.errors.role?.message).toMatch(/one of/);
    const partnerless = await create({ email: 'lost@tessera.test', role: 'partner_user' });
    expect(partnerless.record.errors.partnerId?.message).toMatch(/partner/);
    const staffWithPartner = await create({ email: 'mixed@tessera.test', role: 'analyst', partnerId: koffieCorner().id });
    expect(staffWithPartner.record.errors.partnerId?.message).toMatch(/partner/);
    expect(
      await db.dataSource.query(
        `SELECT email FROM staff_user WHERE email IN ('root@tessera.test', 'lost@tessera.test', 'mixed@tessera.test')`,
      ),
    ).toEqual([]);
    const fine = await create({ email: 'pia2@tessera.test', role: 'partner_user', partnerId: koffieCorner().id });
    expect(fine.notice.type).toBe('success');
    expect(await signIn('pia2@tessera.test', 'a long enough password')).not.toBeNull();
  });

  it('counts every one of five parallel wrong passwords: the account is locked', async () => {
    await addStaffUser('hammered@tessera.test', 'analyst', null);
    await Promise.all(Array.from({ length: 5 }, () => signIn('hammered@tessera.test', 'wrong password')));
    const [row] = await db.dataSource.query(`SELECT "failedSignIns", "lockedUntil" FROM staff_user WHERE email = 'hammered@tessera.test'`);
    expect(row.failedSignIns).toBe(5);
    expect(new Date(row.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(await signIn('hammered@tessera.test')).toBeNull();
  });
});

describe('webhook signing secrets', () => {
  it('are made by the server, shown once at creation and on rotation, and never again', async () => {
    const cookie = (await signIn('manager@tessera.demo'))!;
    const fitapp = partners.find((p) => p.code === 'fitapp')!;
    const form = new FormData();
    for (const [key, value] of Object.entries({
      partnerId: fitapp.id,
      url: 'https://hooks.fitapp.test/new',
      'events.0': 'points.earned',
      active: 'true',
      secret: 'chosen-by-the-form',
    })) {
      form.append(key, value);
    }
    const created = await fetch(`${base}/admin/api/resources/WebhookEndpoint/actions/new`, {
      method: 'POST',
      body: form,
      headers: { cookie, origin: base },
    });
    const answer = await created.json();
    // The one answer that holds the secret: the screen shows it until the operator leaves.
    const shown = answer.secret as string | undefined;
    const id = answer.record.id as string;
    const stored = async () => (await db.dataSource.query(`SELECT secret FROM webhook_endpoint WHERE id = $1`, [id]))[0].secret as string;
    expect(shown).toMatch(/^whsec_/);
    expect(await stored()).toBe(shown);
    const everywhere = async () =>
      (
        await Promise.all(
          [
            `/admin/api/resources/WebhookEndpoint/actions/list`,
            `/admin/api/resources/WebhookEndpoint/records/${id}/show`,
            `/admin/api/resources/WebhookEndpoint/records/${id}/edit`,
            `/admin/api/resources/AuditEntry/actions/list?perPage=500`,
          ].map(async (path) => (await call(cookie, 'GET', path)).body),
        )
      ).join('\n');
    expect(await everywhere()).not.toContain(shown);

    const rotated = JSON.parse((await call(cookie, 'POST', `/admin/api/resources/WebhookEndpoint/records/${id}/rotateSecret`)).body);
    const replacement = rotated.secret as string | undefined;
    expect(replacement).toMatch(/^whsec_/);
    expect(replacement).not.toBe(shown);
    expect(await stored()).toBe(replacement);
    expect(await everywhere()).not.toContain(replacement);
    // An analyst reads webhooks but may not rotate their secrets.
    const analyst = (await signIn('analyst@tessera.demo'))!;
    expect((await call(analyst, 'POST', `/admin/api/resources/WebhookEndpoint/records/${id}/rotateSecret`)).status).toBe(403);
    expect(await stored()).toBe(replacement);
  });
});

/** Posts a form to the back office's API as the signed-in staff member; the JSON answer. */
async function postForm(cookie: string, path: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${base}${path}`, { method: 'POST', body: form, headers: { cookie, origin: base } });
  return { status: response.status, body: await response.json() };
}

/** What a person should never read in the back office: the database's own words. */
const sqlText = /violates|duplicate key|null value|constraint|invalid input syntax|foreign key|QueryFailed|UQ_|FK_|relation "/i;

describe('the staff user form', () => {
  const newStaffUser = async (fields: Record<string, string>) => {
    const cookie = (await signIn('operator@tessera.demo'))!;
    return postForm(cookie, '/admin/api/resources/StaffUser/actions/new', { name: 'New Person', role: 'analyst', ...fields });
  };
  const stored = (email: string) => db.dataSource.query(`SELECT email FROM staff_user WHERE lower(email) = lower($1)`, [email]);

  it('requires a password of 12 characters or more for a new account, under the field', async () => {
    const empty = await newStaffUser({ email: 'no.password@tessera.test', password: '' });
    expect(empty.status).toBe(200);
    expect(empty.body.record.errors.password?.message).toBe('is required for a new staff user');
    expect(JSON.stringify(empty.body)).not.toMatch(sqlText);
    const short = await newStaffUser({ email: 'short.password@tessera.test', password: 'a' });
    expect(short.body.record.errors.password?.message).toBe('must be at least 12 characters');
    expect(await stored('no.password@tessera.test')).toEqual([]);
    expect(await stored('short.password@tessera.test')).toEqual([]);
  });

  it('requires an email address that no other account has, in any case, under the field', async () => {
    for (const email of ['analyst@tessera.demo', 'Analyst@tessera.demo', ' ANALYST@TESSERA.DEMO ']) {
      const taken = await newStaffUser({ email, password: 'a long enough password' });
      expect(taken.body.record.errors.email?.message, email).toBe('is already the email of another staff user');
      expect(JSON.stringify(taken.body), email).not.toMatch(sqlText);
    }
    expect(await stored('analyst@tessera.demo')).toEqual([{ email: 'analyst@tessera.demo' }]);
    const malformed = await newStaffUser({ email: 'notanemail', password: 'a long enough password' });
    expect(malformed.body.record.errors.email?.message).toBe('must be an email address, like name@example.com');
    expect(await stored('notanemail')).toEqual([]);
  });

  it('keeps the password of an account edited without one, and refuses a short new one', async () => {
    const cookie = (await signIn('operator@tessera.demo'))!;
    await addStaffUser('renamed@tessera.test', 'analyst', null);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM staff_user WHERE email = 'renamed@tessera.test'`);
    const edit = (fields: Record<string, string>) =>
      postForm(cookie, `/admin/api/resources/StaffUser/records/${id}/edit`, {
        email: 'renamed@tessera.test',
        name: 'Renamed Person',
        role: 'analyst',
        ...fields,
      });
    expect((await edit({ password: 'short' })).body.record.errors.password?.message).toBe('must be at least 12 characters');
    expect((await edit({ password: '' })).body.notice.type).toBe('success');
    expect(await signIn('renamed@tessera.test')).not.toBeNull();
    // Its own email in another case is no one else's.
    expect((await edit({ email: 'Renamed@tessera.test', password: '' })).body.notice.type).toBe('success');
  });

  it('keeps one account per email in the database itself, whatever the case', async () => {
    const insert = db.dataSource.query(
      `INSERT INTO staff_user (email, name, role, "passwordHash") VALUES ('OPERATOR@tessera.demo', 'Twin', 'analyst', 'x')`,
    );
    await expect(insert).rejects.toMatchObject({ driverError: { code: '23505' } });
  });
});

describe('refusals of the database, in words', () => {
  const operator = async () => (await signIn('operator@tessera.demo'))!;

  it('says how many records still use a partner that cannot be deleted, and deletes nothing', async () => {
    const cookie = await operator();
    const bookbarn = partners.find((p) => p.code === 'bookbarn')!;
    const answer = await postForm(cookie, `/admin/api/resources/Partner/records/${bookbarn.id}/delete`);
    expect(answer.status).toBe(200);
    expect(answer.body.notice.type).toBe('error');
    expect(answer.body.notice.message).toMatch(/^Cannot be deleted: \d+ records still use it \((\w[\w ]*: \d+)(, \w[\w ]*: \d+)*\)$/);
    expect(answer.body.notice.message).toContain('invoice: ');
    expect(JSON.stringify(answer.body)).not.toMatch(sqlText);
    expect(await db.dataSource.manager.existsBy(Partner, { id: bookbarn.id })).toBe(true);
    // Nothing was deleted: nothing is written to the audit log as deleted.
    expect(await db.dataSource.query(`SELECT 1 FROM audit_entry WHERE action = 'delete' AND "recordId" = $1`, [bookbarn.id])).toEqual([]);
  });

  it('puts what a new record lacks, or repeats, under its field', async () => {
    const cookie = await operator();
    const fitapp = partners.find((p) => p.code === 'fitapp')!;
    const noChannel = await postForm(cookie, '/admin/api/resources/PointOfSale/actions/new', {
      partnerId: fitapp.id,
      code: 'gym-north',
      name: 'Gym North',
    });
    expect(Object.keys(noChannel.body.record.errors)).toEqual(['channel']);
    expect(noChannel.body.record.errors.channel.message).toBe('is required: choose one of: Web shop, App, Store');
    expect(JSON.stringify(noChannel.body)).not.toMatch(sqlText);
    const fields = { partnerId: fitapp.id, code: 'gym-south', name: 'Gym South', channel: 'store' };
    expect((await postForm(cookie, '/admin/api/resources/PointOfSale/actions/new', fields)).body.notice.type).toBe('success');
    const twice = await postForm(cookie, '/admin/api/resources/PointOfSale/actions/new', fields);
    expect(twice.body.record.errors.code?.message).toBe('this partner already has a point of sale with this code');
    expect(JSON.stringify(twice.body)).not.toMatch(sqlText);
    const badPartner = await postForm(cookie, '/admin/api/resources/PointOfSale/actions/new', { ...fields, partnerId: 'nope' });
    expect(badPartner.body.record.errors.partnerId?.message).toBe('choose one of the partners');
    expect(JSON.stringify(badPartner.body)).not.toMatch(sqlText);
  });

  it('answers a package sold to a partner that is no UUID under the field, not with a 500', async () => {
    const cookie = await operator();
    const [pack] = await db.dataSource.query(`SELECT id FROM point_package WHERE code = 'starter'`);
    const answer = await postForm(cookie, '/admin/api/resources/Invoice/actions/new', { partnerId: 'nope', packageId: pack.id });
    expect(answer.status).toBe(200);
    expect(answer.body.record.errors.partnerId?.message).toBe('choose the partner who buys');
    const badPackage = await postForm(cookie, '/admin/api/resources/Invoice/actions/new', { partnerId: koffieCorner().id, packageId: 'x' });
    expect(badPackage.status).toBe(200);
    expect(badPackage.body.record.errors.packageId?.message).toBe('choose a package on sale');
  });
});

describe('the webhook endpoint form', () => {
  const newEndpoint = async (fields: Record<string, string>) => {
    const cookie = (await signIn('manager@tessera.demo'))!;
    return postForm(cookie, '/admin/api/resources/WebhookEndpoint/actions/new', {
      partnerId: partners.find((p) => p.code === 'fitapp')!.id,
      active: 'true',
      ...fields,
    });
  };
  const stored = (url: string) => db.dataSource.query(`SELECT 1 FROM webhook_endpoint WHERE url = $1`, [url]);

  it('refuses an event Tessera does not send, or none', async () => {
    const typo = await newEndpoint({ url: 'https://hooks.fitapp.test/typo', 'events.0': 'points.earnd' });
    expect(typo.body.record.errors.events?.message).toMatch(/^points\.earnd is not an event Tessera sends: choose among points\.earned, /);
    const none = await newEndpoint({ url: 'https://hooks.fitapp.test/none' });
    expect(none.body.record.errors.events?.message).toBe('choose at least one event');
    expect(await stored('https://hooks.fitapp.test/typo')).toEqual([]);
    expect(await stored('https://hooks.fitapp.test/none')).toEqual([]);
  });

  it("refuses an address on the operator's own machine or network, and anything but https", async () => {
    for (const [url, message] of [
      ['http://127.0.0.1:54320/x', /^must start with https:\/\//],
      ['https://127.0.0.1:54320/x', /^must be a public address: 127\.0\.0\.1 is on the operator's own machine or network$/],
      ['https://169.254.169.254/latest/meta-data', /^must be a public address/],
      ['https://postgres:5432/x', /^must be a public address/],
      ['ftp://hooks.fitapp.test/x', /^must start with https:\/\//],
      ['hooks.fitapp.test', /^must be a full web address/],
    ] as const) {
      const answer = await newEndpoint({ url, 'events.0': 'points.earned' });
      expect(answer.body.record.errors.url?.message, url).toMatch(message);
      expect(await stored(url), url).toEqual([]);
    }
  });
});

describe('secrets shown once', () => {
  it('are made only by a POST: opening the screen of a new key or a rotation creates or rotates nothing', async () => {
    const cookie = (await signIn('operator@tessera.demo'))!;
    const bookbarn = partners.find((p) => p.code === 'bookbarn')!;
    const keys = async () => (await db.dataSource.query(`SELECT id, "secretHash", "revokedAt" FROM api_key ORDER BY id`)) as object[];
    const secrets = async () => (await db.dataSource.query(`SELECT id, secret FROM webhook_endpoint ORDER BY id`)) as object[];
    const [key] = await db.dataSource.query(`SELECT id FROM api_key WHERE "partnerId" = $1 AND "revokedAt" IS NULL LIMIT 1`, [bookbarn.id]);
    const [endpoint] = await db.dataSource.query(`SELECT id FROM webhook_endpoint WHERE "partnerId" = $1 LIMIT 1`, [bookbarn.id]);
    const [keysBefore, secretsBefore] = [await keys(), await secrets()];
    for (const path of [
      `/admin/api/resources/Partner/records/${bookbarn.id}/createApiKey`,
      `/admin/api/resources/ApiKey/records/${key.id}/rotate`,
      `/admin/api/resources/WebhookEndpoint/records/${endpoint.id}/rotateSecret`,
    ]) {
      const answer = await call(cookie, 'GET', path);
      expect(answer.status, path).toBe(200);
      expect(JSON.parse(answer.body).secret, path).toBeUndefined();
    }
    expect(await keys()).toEqual(keysBefore);
    expect(await secrets()).toEqual(secretsBefore);

    // The POST that makes a secret answers it, once, beside the record.
    const created = await postForm(cookie, `/admin/api/resources/Partner/records/${bookbarn.id}/createApiKey`);
    expect(created.body.secret).toMatch(/^tk_/);
    expect(JSON.stringify(created.body.notice)).not.toContain(created.body.secret);
    const wallet = (apiKey: string) =>
      fetch(`${base}/api/v1/wallet`, { headers: { authorization: `Bearer ${apiKey}` } }).then((r) => r.status);
    expect(await wallet(created.body.secret)).toBe(200);
  });
});
