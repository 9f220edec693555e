import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { FulfilmentOrder, Partner, StaffUser } from '../entities/index.js';
import { demoPassword, seedDemoProgram } from '../wiring/demo-program.js';
import type { TestDatabase } from './support/database.js';
import { serveBackOffice } from './support/back-office.js';
import { startDevServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let db: TestDatabase;
let served: Awaited<ReturnType<typeof serveBackOffice>>;
let base: string;
const ids = {
  fitapp: '',
  bookbarn: '',
  fitappApp: '',
  starter: '',
  growth: '',
  toteBag: '',
  gold: '',
  acme: '',
  analyst: '',
  endpoint: '',
  order: '',
};

beforeAll(async () => {
  harness = await startWorkerHarness(startDevServer, 'back-office-forms-test');
  db = harness.db;
  await seedDemoProgram(db.dataSource);
  const one = async (sql: string) => ((await db.dataSource.query(sql)) as { id: string }[])[0]!.id;
  ids.fitapp = await one(`SELECT id FROM partner WHERE code = 'fitapp'`);
  ids.bookbarn = await one(`SELECT id FROM partner WHERE code = 'bookbarn'`);
  ids.fitappApp = await one(`SELECT id FROM point_of_sale WHERE code = 'app'`);
  ids.starter = await one(`SELECT id FROM point_package WHERE code = 'starter'`);
  ids.growth = await one(`SELECT id FROM point_package WHERE code = 'growth'`);
  ids.toteBag = await one(`SELECT id FROM reward WHERE code = 'tote-bag'`);
  ids.gold = await one(`SELECT id FROM tier WHERE code = 'gold'`);
  ids.acme = await one(`SELECT id FROM company WHERE name = 'Acme Logistics'`);
  ids.analyst = await one(`SELECT id FROM staff_user WHERE email = 'analyst@tessera.demo'`);
  ids.endpoint = (
    await db.dataSource.query(
      `INSERT INTO webhook_endpoint ("partnerId", url, events, secret) VALUES ($1, 'https://hooks.fitapp.example/t', '{points.earned}', 'whsec_x') RETURNING id`,
      [ids.fitapp],
    )
  )[0].id;
  // An order of the staff's own stock, waiting to be picked.
  const [redemption] = await db.dataSource.query(`SELECT id FROM redemption LIMIT 1`);
  ids.order = (
    await db.dataSource.manager.save(FulfilmentOrder, {
      redemptionId: redemption.id,
      supplier: 'manual',
      supplierOrderId: `manual-${redemption.id}`,
      orderedAt: new Date(),
    })
  ).id;
  served = await serveBackOffice(harness);
  base = served.base;
}, 180_000);
afterAll(async () => {
  await served?.close();
  await harness?.stop();
});

const cookies = new Map<string, string>();

/** Signs in through the login form, once per staff member; the session cookie. */
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

interface Answer {
  status: number;
  body: {
    record?: { params: Record<string, unknown>; errors: Record<string, { message: string }> };
    notice?: { type: string; message: string };
  };
  text: string;
}

async function post(email: string, path: string, fields: Record<string, string>): Promise<Answer> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  const response = await fetch(`${base}/admin/api${path}`, {
    method: 'POST',
    body: form,
    headers: { cookie: await signIn(email), origin: base },
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), text };
}

/** What a person should never read in the back office: the database's own words. */
const sqlText =
  /violates|duplicate key|null value|constraint|invalid input syntax|foreign key|QueryFailed|UQ_|FK_|relation "|out of range|syntax/i;

/** A form that is refused when `fields` replace the valid ones, with `message` under `field`; `@name` stands for `ids.name`. */
type Bad = [fields: Record<string, string>, field: string, message: RegExp];

interface FormCase {
  resource: string;
  /** The form's path under /admin/api, and who sends it. */
  path: () => string;
  by: string;
  /** The tables whose rows nothing refused may change. */
  tables: string[];
  /** A form the back office accepts: each bad input differs from it in what it names. */
  valid: () => Record<string, string>;
  bad: Bad[];
}

const operator = 'operator@tessera.demo';
const manager = 'manager@tessera.demo';
const required = /required|give|choose|name the|say why/i;
const aboveZero = /above 0|greater than zero/;
const zeroOrMore = /0 or more/;
const wholeNumber = /whole number/;
const oneOf = /one of|choose (one|among)/i;

const forms: FormCase[] = [
  {
    resource: 'Partner (new)',
    path: () => '/resources/Partner/actions/new',
    by: manager,
    // Its first point of sale and its invited user come with it (one step), or nothing does.
    tables: ['partner', 'ledger_account', 'point_of_sale', 'staff_user', 'staff_invitation', 'outbox_entry'],
    valid: () => ({
      code: 'new-shop',
      name: 'New Shop',
      kind: 'web_shop',
      contactEmail: 'reports@new-shop.example',
      lowBalanceThreshold: '1000',
      pointOfSaleName: 'New Shop online',
      pointOfSaleCode: 'web',
      pointOfSaleChannel: 'web',
      inviteName: 'Nina New',
      inviteEmail: 'nina@new-shop.example',
    }),
    bad: [
      [{ code: '' }, 'code', required],
      [{ code: 'New Shop!' }, 'code', /lowercase letters, digits and dashes/],
      [{ code: 'koffie-corner' }, 'code', /another partner has this code/],
      [{ name: '  ' }, 'name', required],
      [{ kind: 'superstore' }, 'kind', oneOf],
      [{ contactEmail: 'reports at new-shop' }, 'contactEmail', /email address/],
      [{ lowBalanceThreshold: '-5' }, 'lowBalanceThreshold', zeroOrMore],
      [{ lowBalanceThreshold: '1.5' }, 'lowBalanceThreshold', wholeNumber],
      [{ lowBalanceThreshold: 'lots' }, 'lowBalanceThreshold', wholeNumber],
      [{ lowBalanceThreshold: '99999999999999999999' }, 'lowBalanceThreshold', /at most/],
      [{ pointOfSaleName: '' }, 'pointOfSaleName', required],
      [{ pointOfSaleCode: 'web shop' }, 'pointOfSaleCode', /letters, digits/],
      [{ pointOfSaleChannel: 'fax' }, 'pointOfSaleChannel', oneOf],
      [{ inviteName: ' ' }, 'inviteName', required],
      [{ inviteEmail: 'nina at new-shop' }, 'inviteEmail', /email address/],
      [{ inviteEmail: 'MANAGER@tessera.demo' }, 'inviteEmail', /already the email of another staff user/],
    ],
  },
  {
    resource: 'Partner (edit)',
    path: () => `/resources/Partner/records/${ids.fitapp}/edit`,
    by: manager,
    tables: ['partner'],
    valid: () => ({ code: 'fitapp', name: 'FitApp', kind: 'mobile_app', contactEmail: 'reports@fitapp.demo', lowBalanceThreshold: '5000' }),
    bad: [
      [{ code: 'BookBarn' }, 'code', /lowercase letters/],
      [{ code: 'bookbarn' }, 'code', /another partner has this code/],
      [{ kind: '' }, 'kind', oneOf],
      [{ contactEmail: 'fitapp@' }, 'contactEmail', /email address/],
    ],
  },
  {
    resource: 'PointOfSale (new)',
    path: () => '/resources/PointOfSale/actions/new',
    by: manager,
    tables: ['point_of_sale'],
    valid: () => ({ partnerId: ids.fitapp, code: 'gym-east', name: 'Gym East', channel: 'store' }),
    bad: [
      [{ partnerId: '' }, 'partnerId', required],
      [{ partnerId: 'nope' }, 'partnerId', /choose one of the partners/],
      [{ partnerId: randomUUID() }, 'partnerId', /choose one of the partners/],
      [{ code: '' }, 'code', required],
      [{ code: 'gym east' }, 'code', /letters, digits/],
      [{ code: 'app' }, 'code', /this partner already has a point of sale with this code/],
      [{ name: '' }, 'name', required],
      [{ channel: 'mall' }, 'channel', oneOf],
      [{ channel: '' }, 'channel', oneOf],
    ],
  },
  {
    resource: 'PointOfSale (edit)',
    path: () => `/resources/PointOfSale/records/${ids.fitappApp}/edit`,
    by: manager,
    tables: ['point_of_sale'],
    valid: () => ({ partnerId: ids.fitapp, code: 'app', name: 'FitApp for iOS and Android', channel: 'app' }),
    bad: [
      [{ channel: 'kiosk' }, 'channel', oneOf],
      [{ partnerId: '@bookbarn', code: 'web' }, 'code', /this partner already has a point of sale with this code/],
    ],
  },
  {
    resource: 'PointPackage (new)',
    path: () => '/resources/PointPackage/actions/new',
    by: manager,
    tables: ['point_package'],
    valid: () => ({ code: 'mega', name: 'Mega: 1,000,000 points', points: '1000000', price: '5000.00', currency: 'EUR', active: 'true' }),
    bad: [
      [{ code: 'starter' }, 'code', /another package has this code/],
      [{ code: 'Mega Pack' }, 'code', /lowercase letters/],
      [{ name: '' }, 'name', required],
      [{ points: '0' }, 'points', aboveZero],
      [{ points: '-500' }, 'points', aboveZero],
      [{ points: '2.5' }, 'points', wholeNumber],
      [{ price: '0' }, 'price', aboveZero],
      [{ price: '-49' }, 'price', aboveZero],
      [{ price: '12.345' }, 'price', /at most 2 decimals/],
      [{ price: 'cheap' }, 'price', /an amount/],
      [{ price: '' }, 'price', required],
      [{ currency: 'EURO' }, 'currency', /currency/],
      [{ currency: 'XYZ' }, 'currency', /currency/],
    ],
  },
  {
    resource: 'PointPackage (edit)',
    path: () => `/resources/PointPackage/records/${ids.growth}/edit`,
    by: manager,
    tables: ['point_package'],
    valid: () => ({ code: 'growth', name: 'Growth: 50,000 points', points: '50000', price: '390', currency: 'EUR', active: 'true' }),
    bad: [
      [{ price: '-1' }, 'price', aboveZero],
      [{ code: 'scale' }, 'code', /another package has this code/],
    ],
  },
  {
    resource: 'Reward (new)',
    path: () => '/resources/Reward/actions/new',
    by: manager,
    tables: ['reward'],
    valid: () => ({
      code: 'umbrella',
      name: 'Tessera umbrella',
      description: 'Stays dry in Dutch weather',
      pointsPrice: '1200',
      stock: '10',
      needsFulfilment: 'true',
      supplier: 'Umbrella Co',
      imageUrl: 'https://cdn.example.com/umbrella.png',
      category: 'Goods',
      available: 'true',
    }),
    bad: [
      [{ code: '' }, 'code', required],
      [{ code: 'tote-bag' }, 'code', /another reward has this code/],
      [{ code: 'UMBRELLA_1' }, 'code', /lowercase letters/],
      [{ name: '' }, 'name', required],
      [{ pointsPrice: '-500' }, 'pointsPrice', aboveZero],
      [{ pointsPrice: '0' }, 'pointsPrice', aboveZero],
      [{ pointsPrice: '12.5' }, 'pointsPrice', wholeNumber],
      [{ pointsPrice: '' }, 'pointsPrice', required],
      [{ stock: '-1' }, 'stock', zeroOrMore],
      [{ stock: '2.5' }, 'stock', wholeNumber],
      [{ imageUrl: 'http://cdn.example.com/umbrella.png' }, 'imageUrl', /https:\/\//],
      [{ imageUrl: 'javascript:alert(1)' }, 'imageUrl', /https:\/\//],
      [{ imageUrl: 'umbrella.png' }, 'imageUrl', /full web address/],
    ],
  },
  {
    resource: 'Reward (edit)',
    path: () => `/resources/Reward/records/${ids.toteBag}/edit`,
    by: manager,
    tables: ['reward'],
    valid: () => ({
      code: 'tote-bag',
      name: 'Tessera tote bag',
      pointsPrice: '2500',
      stock: '40',
      needsFulfilment: 'true',
      available: 'true',
    }),
    bad: [
      [{ pointsPrice: '-500' }, 'pointsPrice', aboveZero],
      [{ stock: '-3' }, 'stock', zeroOrMore],
      [{ code: 'headphones' }, 'code', /another reward has this code/],
    ],
  },
  {
    resource: 'Tier (new)',
    path: () => '/resources/Tier/actions/new',
    by: manager,
    tables: ['tier'],
    valid: () => ({ code: 'platinum', name: 'Platinum', threshold: '20000', multiplier: '1.5', 'benefits.0': 'Lounge access' }),
    bad: [
      [{ code: 'gold' }, 'code', /another tier has this code/],
      [{ code: 'Platinum Plus' }, 'code', /lowercase letters/],
      [{ name: '' }, 'name', required],
      [{ threshold: '-1' }, 'threshold', zeroOrMore],
      [{ threshold: '5000' }, 'threshold', /Gold starts at 5,000 points/],
      [{ threshold: 'high' }, 'threshold', /whole number/],
      [{ multiplier: '0.5' }, 'multiplier', /between 1 and 5/],
      [{ multiplier: '6' }, 'multiplier', /between 1 and 5/],
    ],
  },
  {
    resource: 'Tier (edit)',
    path: () => `/resources/Tier/records/${ids.gold}/edit`,
    by: manager,
    tables: ['tier'],
    valid: () => ({ code: 'gold', name: 'Gold', threshold: '5000', multiplier: '1.25' }),
    bad: [
      [{ threshold: '1000' }, 'threshold', /Silver starts at 1,000 points/],
      [{ code: 'silver' }, 'code', /another tier has this code/],
    ],
  },
  {
    resource: 'ProgramSettings (edit)',
    path: () => '/resources/ProgramSettings/records/1/edit',
    by: manager,
    tables: ['program_settings'],
    valid: () => ({
      'expiryPolicy.mode': 'fixed_date',
      'expiryPolicy.month': '12',
      'expiryPolicy.day': '31',
      'expiryPolicy.yearsAfter': '1',
      tierWindowDays: '365',
      transferMaxPoints: '10000',
      transferMaxPointsPerDay: '25000',
      careApprovalThreshold: '500',
      eventBackdateDays: '30',
      refundShortfall: 'debt',
      erasureForfeiture: 'breakage',
      birthdayGreetings: 'false',
      birthdayBonusPoints: '0',
      birthdayDaysBefore: '0',
      birthdayDaysAfter: '0',
      birthdayChannel: 'email',
      partnerCampaignMaxMultiplier: '2.5',
      partnerCampaignMaxPointsPerUnit: '4',
      partnerCampaignMaxPoints: '500',
      partnerCampaignsNeedApproval: 'true',
      clearingValueMinor: '',
      breakageOperatorSharePercent: '40',
      referralMinimum: '10.00',
    }),
    bad: [
      [{ referralMinimum: '0' }, 'referralMinimum', /above 0: the least purchase that qualifies a referred friend/],
      [{ referralMinimum: 'ten euros' }, 'referralMinimum', /must be an amount, like 49.00/],
      [{ referralMinimum: '9.999' }, 'referralMinimum', /at most 2 decimals/],
      [{ clearingValueMinor: '0' }, 'clearingValueMinor', /above 0.*empty for the value of a point/],
      [{ breakageOperatorSharePercent: '101' }, 'breakageOperatorSharePercent', /from 0 to 100/],
      [{ partnerCampaignMaxMultiplier: '0.5' }, 'partnerCampaignMaxMultiplier', /from 1 to 10/],
      [{ partnerCampaignMaxMultiplier: '11' }, 'partnerCampaignMaxMultiplier', /from 1 to 10/],
      [{ partnerCampaignMaxPointsPerUnit: '0' }, 'partnerCampaignMaxPointsPerUnit', /above 0 to 1000/],
      [{ partnerCampaignMaxPointsPerUnit: 'lots' }, 'partnerCampaignMaxPointsPerUnit', /above 0 to 1000/],
      [{ partnerCampaignMaxPoints: '-5' }, 'partnerCampaignMaxPoints', /from 1 to 1,000,000/],
      [{ partnerCampaignsNeedApproval: 'maybe' }, 'partnerCampaignsNeedApproval', /ticked or not/],
      [{ 'expiryPolicy.mode': 'forever' }, 'expiryPolicy.mode', oneOf],
      [{ 'expiryPolicy.month': '13' }, 'expiryPolicy.month', /1 to 12/],
      [{ 'expiryPolicy.month': '0' }, 'expiryPolicy.month', /1 to 12/],
      [{ 'expiryPolicy.month': '2', 'expiryPolicy.day': '30' }, 'expiryPolicy.day', /February has at most 28 days/],
      [{ 'expiryPolicy.day': '0' }, 'expiryPolicy.day', /1 to 31/],
      [{ 'expiryPolicy.yearsAfter': '-1' }, 'expiryPolicy.yearsAfter', /0 to 100/],
      [{ 'expiryPolicy.mode': 'period', 'expiryPolicy.months': '0' }, 'expiryPolicy.months', /1 to 1,200/],
      [{ 'expiryPolicy.mode': 'period', 'expiryPolicy.months': '' }, 'expiryPolicy.months', required],
      [{ 'expiryPolicy.mode': 'anniversary', 'expiryPolicy.minimumMonths': '-2' }, 'expiryPolicy.minimumMonths', /0 to 1,200/],
      [{ tierWindowDays: '0' }, 'tierWindowDays', /1 to 3,660/],
      [{ transferMaxPoints: '-1' }, 'transferMaxPoints', aboveZero],
      [{ transferMaxPointsPerDay: '5000' }, 'transferMaxPointsPerDay', /at least the most one transfer may move/],
      [{ careApprovalThreshold: '-1' }, 'careApprovalThreshold', zeroOrMore],
      [{ eventBackdateDays: '400' }, 'eventBackdateDays', /0 to 366/],
      [{ refundShortfall: 'maybe' }, 'refundShortfall', oneOf],
      [{ erasureForfeiture: 'nobody' }, 'erasureForfeiture', oneOf],
      [{ birthdayDaysBefore: '40' }, 'birthdayDaysBefore', /0 to 31/],
      [{ birthdayChannel: 'pigeon' }, 'birthdayChannel', /must be email, sms or email_or_sms/],
      [{ paymentMinPoints: '0' }, 'paymentMinPoints', aboveZero],
      [{ paymentMaxSharePercent: '101' }, 'paymentMaxSharePercent', /above 0 to 100/],
    ],
  },
  {
    resource: 'Invoice (sell a package)',
    path: () => '/resources/Invoice/actions/new',
    by: manager,
    tables: ['invoice'],
    valid: () => ({ partnerId: ids.fitapp, packageId: ids.starter, purchaseKey: 'PO-2024-001' }),
    bad: [
      [{ partnerId: '' }, 'partnerId', /choose the partner who buys/],
      [{ partnerId: 'nope' }, 'partnerId', /choose the partner who buys/],
      [{ packageId: randomUUID() }, 'packageId', /choose a package on sale/],
    ],
  },
  {
    resource: 'StaffUser (new)',
    path: () => '/resources/StaffUser/actions/new',
    by: operator,
    tables: ['staff_user'],
    valid: () => ({ email: 'new.analyst@tessera.test', name: 'Nia Analyst', role: 'analyst', password: 'correct horse battery staple' }),
    bad: [
      [{ role: 'superuser' }, 'role', oneOf],
      [{ role: '' }, 'role', oneOf],
      [{ role: 'partner_user' }, 'partnerId', /a partner user needs the partner/],
      [{ partnerId: 'x' }, 'partnerId', /only partner users belong to a partner/],
      [{ role: 'partner_user', partnerId: randomUUID() }, 'partnerId', /choose one of the partners/],
      [{ email: 'new.analyst' }, 'email', /email address/],
      [{ email: 'Analyst@Tessera.demo' }, 'email', /already the email of another staff user/],
      [{ name: '' }, 'name', required],
      [{ password: '' }, 'password', /required for a new staff user/],
      [{ password: 'short' }, 'password', /at least 12 characters/],
      [{ password: 'aaaaaaaaaaaaaaaa' }, 'password', /one character repeated/],
      [{ password: 'new.analyst@tessera.test' }, 'password', /email/],
    ],
  },
  {
    resource: 'StaffUser (edit)',
    path: () => `/resources/StaffUser/records/${ids.analyst}/edit`,
    by: operator,
    tables: ['staff_user'],
    valid: () => ({ email: 'analyst@tessera.demo', name: 'Ana Analyst', role: 'analyst', password: '' }),
    bad: [
      [{ role: 'superuser' }, 'role', oneOf],
      [{ email: 'operator@tessera.demo' }, 'email', /already the email of another staff user/],
      [{ password: '12345678901' }, 'password', /at least 12 characters/],
    ],
  },
  {
    resource: 'WebhookEndpoint (new)',
    path: () => '/resources/WebhookEndpoint/actions/new',
    by: manager,
    tables: ['webhook_endpoint'],
    valid: () => ({ partnerId: ids.fitapp, url: 'https://hooks.fitapp.example/new', 'events.0': 'points.earned', active: 'true' }),
    bad: [
      [{ partnerId: '' }, 'partnerId', required],
      [{ partnerId: randomUUID() }, 'partnerId', /choose one of the partners/],
      [{ url: 'http://hooks.fitapp.example/new' }, 'url', /must start with https:\/\//],
      [{ url: 'https://10.0.0.7/hooks' }, 'url', /must be a public address/],
      [{ url: '' }, 'url', required],
      [{ 'events.0': 'points.earnd' }, 'events', /not an event Tessera sends/],
    ],
  },
  {
    resource: 'WebhookEndpoint (edit)',
    path: () => `/resources/WebhookEndpoint/records/${ids.endpoint}/edit`,
    by: manager,
    tables: ['webhook_endpoint'],
    valid: () => ({ partnerId: ids.fitapp, url: 'https://hooks.fitapp.example/t', 'events.0': 'points.earned', active: 'true' }),
    bad: [
      [{ url: 'ftp://hooks.fitapp.example/t' }, 'url', /must start with https:\/\//],
      [{ partnerId: 'none' }, 'partnerId', /choose one of the partners/],
    ],
  },
  {
    resource: 'Company (new)',
    path: () => '/resources/Company/actions/new',
    by: manager,
    tables: ['company', 'company_manager'],
    valid: () => ({ name: 'Globex', managerEmails: 'eva.jansen.4@members.demo' }),
    bad: [
      [{ name: '' }, 'name', required],
      [{ name: 'acme logistics' }, 'name', /already/],
      [{ managerEmails: 'not an email' }, 'managerEmails', /email/],
    ],
  },
  {
    resource: 'CompanyFunding (new)',
    path: () => '/resources/CompanyFunding/actions/new',
    by: manager,
    tables: ['company_funding', 'ledger_transfer'],
    valid: () => ({ companyId: ids.acme, partnerId: ids.fitapp, points: '500', reason: 'Summer gifts', reference: 'PO-77' }),
    bad: [
      [{ companyId: '' }, 'companyId', /choose the company/],
      [{ partnerId: 'nope' }, 'partnerId', /choose the partner who pays/],
      [{ points: '0' }, 'points', /greater than zero/],
      [{ points: '-5' }, 'points', /greater than zero/],
      [{ points: '1.5' }, 'points', /whole number/],
      [{ reason: '' }, 'reason', /say why/],
      [{ reference: '' }, 'reference', /give your reference/],
    ],
  },
  {
    resource: 'FulfilmentOrder (mark shipped)',
    path: () => `/resources/FulfilmentOrder/records/${ids.order}/markShipped`,
    by: manager,
    tables: ['fulfilment_order', 'redemption'],
    valid: () => ({ carrier: 'PostNL', trackingNumber: '3SABCD0123456' }),
    bad: [
      [{ carrier: '' }, 'carrier', /name the carrier/],
      [{ trackingNumber: '#?' }, 'trackingNumber', /tracking number is 4 to 40 letters and digits/],
    ],
  },
];

/** Every row of the tables, and the audit log: what a refused form must leave as it was. */
async function snapshot(tables: string[]): Promise<unknown[]> {
  return Promise.all(
    [...tables, 'audit_entry'].map((table) => db.dataSource.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`)),
  );
}

describe.each(forms)('the $resource form', ({ path, by, tables, valid, bad }) => {
  it.each(bad)('refuses %j with a message under %s, saving nothing', async (fields, field, message) => {
    const before = await snapshot(tables);
    const sent = Object.entries(fields).map(([key, value]) => [
      key,
      value.startsWith('@') ? ids[value.slice(1) as keyof typeof ids] : value,
    ]);
    const answer = await post(by, path(), { ...valid(), ...Object.fromEntries(sent) });
    expect(answer.status).toBe(200);
    expect(answer.body.record?.errors?.[field]?.message, JSON.stringify(answer.body.record?.errors)).toMatch(message);
    expect(answer.body.notice?.type).toBe('error');
    expect(answer.text).not.toMatch(sqlText);
    expect(await snapshot(tables)).toEqual(before);
  });

  it('accepts the valid form', async () => {
    const answer = await post(by, path(), valid());
    expect(answer.body.record?.errors ?? {}).toEqual({});
    expect(answer.body.notice?.type).toBe('success');
  });
});

describe('the least purchase of a referred friend', () => {
  it("is typed in the program's currency, kept in cents and shown as money", async () => {
    const answer = await post(manager, '/resources/ProgramSettings/records/1/edit', { referralMinimum: '12.50' });
    expect(answer.body.notice?.type).toBe('success');
    const [{ cents }] = await db.dataSource.query(`SELECT "referralMinimumCents" AS cents FROM program_settings WHERE id = 1`);
    expect(Number(cents)).toBe(1_250);
  });
});

describe('checkboxes', () => {
  const stored = async (sql: string, value: string) => (await db.dataSource.query(sql, [value]))[0];

  it('saves a box left unticked on a new record as unticked, whatever the column’s default', async () => {
    // A form leaves an untouched box out of what it sends.
    const reward = await post(manager, '/resources/Reward/actions/new', {
      code: 'unticked-reward',
      name: 'Quiet reward',
      pointsPrice: '10',
    });
    expect(reward.body.notice?.type).toBe('success');
    expect(await stored(`SELECT available, "needsFulfilment" FROM reward WHERE code = $1`, 'unticked-reward')).toEqual({
      available: false,
      needsFulfilment: false,
    });
    const pack = await post(manager, '/resources/PointPackage/actions/new', {
      code: 'unticked-pack',
      name: 'Quiet pack',
      points: '10',
      price: '1',
      currency: 'EUR',
    });
    expect(pack.body.notice?.type).toBe('success');
    expect(await stored(`SELECT active FROM point_package WHERE code = $1`, 'unticked-pack')).toEqual({ active: false });
    const endpoint = await post(manager, '/resources/WebhookEndpoint/actions/new', {
      partnerId: ids.fitapp,
      url: 'https://hooks.fitapp.example/quiet',
      'events.0': 'points.earned',
    });
    expect(endpoint.body.notice?.type).toBe('success');
    expect(await stored(`SELECT active FROM webhook_endpoint WHERE url = $1`, 'https://hooks.fitapp.example/quiet')).toEqual({
      active: false,
    });
  });

  it('saves a box unticked on an edit as unticked', async () => {
    const [reward] = await db.dataSource.query(`SELECT id FROM reward WHERE code = 'cinema-pass'`);
    const answer = await post(manager, `/resources/Reward/records/${reward.id}/edit`, { available: 'false' });
    expect(answer.body.notice?.type).toBe('success');
    expect(await stored(`SELECT available FROM reward WHERE id = $1`, reward.id)).toEqual({ available: false });
  });
});

describe('choices', () => {
  it('offers every value of a closed list as a choice, never as free text', () => {
    const choices = (resource: string, property: string) =>
      served.backOffice.admin
        .findResource(resource)
        .decorate()
        .getPropertyByKey(property)
        ?.availableValues()
        ?.map((choice) => choice.value);
    expect(choices('Partner', 'kind')).toEqual(['web_shop', 'mobile_app', 'physical_store']);
    expect(choices('PointOfSale', 'channel')).toEqual(['web', 'app', 'store']);
    expect(choices('StaffUser', 'role')).toHaveLength(6);
    expect(choices('ProgramSettings', 'refundShortfall')).toEqual(['debt', 'refuse']);
    expect(choices('ProgramSettings', 'erasureForfeiture')).toEqual(['breakage', 'funders']);
    expect(choices('ProgramSettings', 'expiryPolicy.mode')).toEqual(['period', 'fixed_date', 'anniversary', 'never']);
    expect(choices('PointPackage', 'currency')).toContain('EUR');
  });
});

describe('staff accounts', () => {
  it('shows the operator an account locked by failed sign-ins, and unlocks it', async () => {
    const [locked] = await db.dataSource.manager
      .insert(StaffUser, {
        email: 'locked@tessera.test',
        name: 'Lou Locked',
        role: 'care_agent',
        passwordHash: await hashPassword(demoPassword),
        failedSignIns: 5,
        lockedUntil: new Date(Date.now() + 10 * 60_000),
      })
      .then((result) => result.identifiers);
    const id = String(locked!.id);
    const refused = await fetch(`${base}/admin/login`, {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ email: 'locked@tessera.test', password: demoPassword }),
      redirect: 'manual',
    });
    expect(refused.status).not.toBe(302);

    const cookie = await signIn(operator);
    const shown = await (
      await fetch(`${base}/admin/api/resources/StaffUser/records/${id}/show`, { headers: { cookie, origin: base } })
    ).json();
    expect(shown.record.params.signIn).toMatch(/^Locked until .+ after 5 failed sign-ins$/);
    expect(shown.record.recordActions.map((action: { name: string }) => action.name)).toContain('unlock');

    const unlocked = await post(operator, `/resources/StaffUser/records/${id}/unlock`, {});
    expect(unlocked.body.notice).toMatchObject({ type: 'success', message: 'Unlocked: Lou Locked can sign in again' });
    expect(await db.dataSource.query(`SELECT "failedSignIns", "lockedUntil" FROM staff_user WHERE id = $1`, [id])).toEqual([
      { failedSignIns: 0, lockedUntil: null },
    ]);
    const [entry] = await db.dataSource.query(`SELECT "staffEmail" FROM audit_entry WHERE action = 'unlock' AND "recordId" = $1`, [id]);
    expect(entry).toEqual({ staffEmail: operator });
    const again = await fetch(`${base}/admin/login`, {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ email: 'locked@tessera.test', password: demoPassword }),
      redirect: 'manual',
    });
    expect(again.status).toBe(302);
    // Nothing to unlock on an account that is not locked.
    const open = await fetch(`${base}/admin/api/resources/StaffUser/records/${id}/show`, { headers: { cookie, origin: base } });
    expect((await open.json()).record.recordActions.map((action: { name: string }) => action.name)).not.toContain('unlock');
  });

  it('keeps an account with a role outside the list out of everything', async () => {
    const koffieCorner = await db.dataSource.manager.findOneByOrFail(Partner, { code: 'koffie-corner' });
    await db.dataSource.query(
      `INSERT INTO staff_user (email, name, role, "partnerId", "passwordHash") VALUES ($1, 'Root', 'superuser', $2, $3)`,
      ['root@tessera.test', koffieCorner.id, await hashPassword(demoPassword)],
    );
    const response = await fetch(`${base}/admin/login`, {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ email: 'root@tessera.test', password: demoPassword }),
      redirect: 'manual',
    });
    expect(response.status).not.toBe(302);
    expect(await response.text()).toContain('ask the operator to set its role');
  });
});
