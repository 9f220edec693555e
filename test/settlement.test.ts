import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@temporalio/client';
import { Partner, ProgramSettings, SettlementLine, SettlementStatement } from '../entities/index.js';
import { programSettings } from '../loyalty/earning/program-settings.js';
import { expireDueLots } from '../loyalty/expiry.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { recordNames } from '../loyalty/record-names.js';
import { Refusal } from '../loyalty/refusal.js';
import { computeSettlement } from '../loyalty/settlement/settlement-statements.js';
import { statementDocument } from '../loyalty/settlement/statement-document.js';
import { settlementCsv } from '../reports/settlement-csv.js';
import { settlementPdf } from '../reports/settlement-pdf.js';
import { readInbox } from '../wiring/embedded/mail-sink.js';
import { monthlySettlementWorkflow } from '../workflows/monthly-settlement.workflow.js';
import { join } from 'node:path';
import { hashPassword } from '../admin/passwords.js';
import { serveBackOffice } from './support/back-office.js';
import { artifactsDir, launchBrowser, signInToBackOffice } from './support/browser.js';
import type { TestDatabase } from './support/database.js';
import { pdfText } from './support/pdf-text.js';
import { createProgram, days } from './support/program.js';
import { startTimeSkippingServer, startWorkerHarness, type WorkerHarness } from './support/temporal.js';

let harness: WorkerHarness;
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
const parties = {} as Record<'a' | 'b' | 'c', string>;
const moments = { earlierBurnAtB: '', earlierReversal: '', currentReversal: '', holdPostedThisMonth: '', voidedHold: '' };
/**
 * The test's two months, read once from the clock: the month before this one ("earlier", where the
 * activity is moved) and this month ("current", where the rest happens as the test runs). Fixed
 * months would break the day the calendar passes them.
 */
const today = new Date();
const monthStart = (offset: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + offset, 1));
const periodOfMonth = (offset: number) => monthStart(offset).toISOString().slice(0, 7);
const monthLabel = (offset: number) =>
  new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(monthStart(offset));
const earlier = periodOfMonth(-1);
const current = periodOfMonth(0);
const earlierLabel = monthLabel(-1);
const currentLabel = monthLabel(0);
const afterCurrent = new Date(monthStart(1).getTime() + 5 * 3_600_000);

const key = () => randomUUID();

/**
 * A month of coalition activity, moved into the earlier month afterwards (the ledger stamps transfers
 * with the time they are made): members earn at one partner and spend at another, a hold is
 * posted and one voided, a burn is partly reversed, lots expire, the operator honours a catalog
 * redemption and funds a care adjustment. A hold made in the earlier month is posted in the
 * current one, and the rest of the earlier burn is reversed in the current month.
 */
async function simulateCoalition() {
  await programSettings(db.dataSource.manager);
  await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { clearingValueMinor: 0.8, breakageOperatorSharePercent: 40 });
  const [a, b, c] = [await p.partner(100_000), await p.partner(100_000), await p.partner(100_000)];
  Object.assign(parties, { a: a.partner.id, b: b.partner.id, c: c.partner.id });
  for (const [{ partner }, name] of [
    [a, 'Café Aroma'],
    [b, 'Boekhandel Bas'],
    [c, 'City Cycles'],
  ] as const) {
    await db.dataSource.manager.update(Partner, { id: partner.id }, { name });
  }
  const [m1, m2, m3, m4] = [await p.member(), await p.member(), await p.member(), await p.member()];
  const earn = (wallet: { id: string }, member: { id: string }, amount: number, expiresAt = days(300)) =>
    p.ledger.transfer({
      source: 'test',
      key: key(),
      legs: [{ debitAccountId: wallet.id, creditAccountId: member.id, amount, kind: 'earn', expiresAt }],
    });
  const burn = async (member: { id: string }, amount: number, at?: string) =>
    (
      await p.ledger.transfer({
        source: 'test',
        key: key(),
        legs: [
          {
            debitAccountId: member.id,
            creditAccountId: p.program.redemption.id,
            amount,
            kind: 'burn',
            references: at ? { partner: at } : { reward: 'mug' },
          },
        ],
      })
    ).transfers[0]!;
  const hold = async (member: { id: string }, amount: number, at: string) =>
    (
      await p.ledger.hold({
        source: 'test',
        key: key(),
        until: days(2),
        legs: [{ debitAccountId: member.id, creditAccountId: p.program.redemption.id, amount, kind: 'burn', references: { partner: at } }],
      })
    ).transfers[0]!;

  await earn(a.wallet, m1.account, 1_000);
  await earn(b.wallet, m2.account, 800);
  await earn(c.wallet, m3.account, 500);
  await earn(a.wallet, m4.account, 200, days(1));
  await p.ledger.transfer({
    source: 'care',
    key: key(),
    legs: [{ debitAccountId: p.program.care.id, creditAccountId: m2.account.id, amount: 100, kind: 'adjust' }],
  });

  const burnAtB = await burn(m1.account, 600, parties.b);
  moments.earlierBurnAtB = burnAtB.id;
  moments.earlierReversal = (await p.ledger.reverse({ source: 'test', key: key(), transferId: burnAtB.id, amount: 200 })).transfers[0]!.id;
  await burn(m1.account, 100); // a catalog redemption: at the operator
  await burn(m1.account, 50, parties.a); // A honours its own points
  await burn(m2.account, 900, parties.c); // B's 800, then the operator's 100
  await burn(m4.account, 50, parties.b);
  const posted = await hold(m3.account, 300, parties.a);
  await p.ledger.post({ source: 'test', key: key(), pendingTransferId: posted.id });
  const voided = await hold(m3.account, 100, parties.b);
  moments.voidedHold = voided.id;
  await p.ledger.void({ source: 'test', key: key(), pendingTransferId: voided.id });
  const lateHold = await hold(m3.account, 50, parties.b);
  // An erased member's points given back to their funder's wallet (the erasure's "funders" forfeiture): not breakage.
  const [left] = await db.dataSource.query(`SELECT id, remaining FROM point_lot WHERE "memberAccountId" = $1 AND remaining > 0`, [
    m3.account.id,
  ]);
  await p.ledger.transfer({
    source: 'test',
    key: key(),
    legs: [
      {
        debitAccountId: m3.account.id,
        creditAccountId: c.wallet.id,
        amount: Number(left.remaining),
        kind: 'expire',
        fromLotIds: [left.id],
        references: { lot: left.id, partner: parties.c },
      },
    ],
  });

  await db.dataSource.query(`UPDATE point_lot SET "expiresAt" = now() - interval '1 hour' WHERE "memberAccountId" = $1`, [m4.account.id]);
  const expired = await expireDueLots(db.dataSource, p.ledger, new Date());
  expect(expired.points).toBe(150);

  // Everything so far happened in the earlier month.
  await db.dataSource.query(`UPDATE ledger_transfer SET "createdAt" = $1::timestamptz + seq * interval '1 minute'`, [
    `${earlier}-10T09:00:00Z`,
  ]);
  // The keys' claims move with their transfers: a replay finds a transfer by id and time.
  await db.dataSource.query(
    `UPDATE ledger_idempotency i SET "createdAt" = t."createdAt" FROM ledger_transfer t WHERE t.id = i."transferId"`,
  );

  // A store captures 30 of the 50 points it held (a partial capture): 20 go back to the member's lot.
  moments.holdPostedThisMonth = (
    await p.ledger.post({ source: 'test', key: key(), pendingTransferId: lateHold.id, amount: 30 })
  ).transfers[0]!.id;
  moments.currentReversal = (await p.ledger.reverse({ source: 'test', key: key(), transferId: burnAtB.id })).transfers[0]!.id;
}

async function statementsOf(period: string) {
  return db.dataSource.manager.find(SettlementStatement, { where: { period }, relations: { lines: true }, order: { party: 'ASC' } });
}

const statementOf = (statements: SettlementStatement[], party: string) => statements.find((s) => s.party === party)!;

/** The points the ledger moved for these transfers out of (or, negative, back into) lots of `funder`. */
async function consumedFrom(transferIds: string[], funder: string): Promise<number> {
  const [row] = await db.dataSource.query(
    `SELECT COALESCE(SUM(c.points), 0) AS points FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId"
      WHERE c."transferId" = ANY($1::uuid[]) AND COALESCE(l."fundingPartnerId"::text, 'operator') = $2`,
    [transferIds, funder],
  );
  return Number(row.points);
}

/** Lots these transfers gave members, funded by `funder`, less what they took back from that funder's lots. */
async function issuedBy(transferIds: string[], funder: string): Promise<number> {
  const [row] = await db.dataSource.query(
    `SELECT COALESCE(SUM(points), 0) AS points FROM point_lot
      WHERE "creditTransferId" = ANY($1::uuid[]) AND COALESCE("fundingPartnerId"::text, 'operator') = $2`,
    [transferIds, funder],
  );
  return Number(row.points) - (await consumedFrom(transferIds, funder));
}

/** What the ledger's transfers of a period add up to, straight from their amounts. */
async function ledgerTotals(start: string, end: string) {
  const [row] = await db.dataSource.query(
    `SELECT
       SUM(t.amount) FILTER (WHERE t.kind = 'burn' AND t.phase IN ('single', 'post'))
         - COALESCE(SUM(t.amount) FILTER (WHERE t.kind = 'reversal' AND o.kind = 'burn'), 0) AS redeemed,
       SUM(t.amount) FILTER (WHERE t.kind = 'expire' AND ca.kind = 'program') AS expired,
       COALESCE(SUM(t.amount) FILTER (WHERE t.phase = 'single' AND t.kind <> 'reversal' AND ca.kind = 'member' AND da.kind <> 'member'), 0)
         - COALESCE(SUM(t.amount) FILTER (WHERE t.kind = 'reversal' AND da.kind = 'member' AND ca.kind <> 'member' AND o.kind <> 'burn'), 0) AS issued
       FROM ledger_transfer t
       JOIN ledger_account da ON da.id = t."debitAccountId" JOIN ledger_account ca ON ca.id = t."creditAccountId"
       LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
      WHERE t."createdAt" >= $1 AND t."createdAt" < $2`,
    [start, end],
  );
  return { redeemed: Number(row.redeemed ?? 0), expired: Number(row.expired ?? 0), issued: Number(row.issued ?? 0) };
}

beforeAll(async () => {
  harness = await startWorkerHarness(startTimeSkippingServer, 'settlement-test');
  db = harness.db;
  // Time moves only when a test says so (see time-skipping-workflows.test.ts).
  await harness.env.connection.testService!.lockTimeSkipping({});
  p = await createProgram(db.dataSource);
  await simulateCoalition();
}, 180_000);
afterAll(() => harness?.stop());

describe('statements of a month of coalition activity', () => {
  it('says what each party issued, honoured, had honoured elsewhere and lost to expiry', async () => {
    await computeSettlement(db.dataSource, earlier, afterCurrent);
    const earlierMonth = await statementsOf(earlier);
    expect(earlierMonth.map((s) => s.party).sort()).toEqual([parties.a, parties.b, parties.c, 'operator'].sort());
    const [a, b, c, operator] = [parties.a, parties.b, parties.c, 'operator'].map((party) => statementOf(earlierMonth, party));
    // Clearing at 0.8 cent a point; the operator keeps 40% of breakage's value.
    expect(a).toMatchObject({
      issuedPoints: 1_200,
      redeemedAtPoints: 350, // C's 300 (a posted hold) and its own 50
      redeemedAtValueMinor: 240,
      redeemedElsewherePoints: 550, // 400 at B (600 less 200 reversed), 50 at B, 100 at the operator
      redeemedElsewhereValueMinor: 440,
      breakagePoints: 150,
      breakageValueMinor: 120,
      breakageOperatorShareMinor: 48,
      netMinor: 240 - 440 - 48,
      currency: 'EUR',
    });
    expect(b).toMatchObject({
      issuedPoints: 800,
      redeemedAtPoints: 450,
      redeemedAtValueMinor: 360,
      redeemedElsewherePoints: 800,
      netMinor: 360 - 640,
    });
    expect(c).toMatchObject({
      breakagePoints: 0,
      issuedPoints: 500,
      redeemedAtPoints: 900,
      redeemedAtValueMinor: 720,
      redeemedElsewherePoints: 300,
      netMinor: 720 - 240,
    });
    expect(operator).toMatchObject({
      issuedPoints: 100,
      redeemedAtPoints: 100,
      redeemedElsewherePoints: 100,
      breakageOperatorShareMinor: 48,
    });
    expect(operator!.netMinor).toBe(80 - 80 + 48);
  });

  it("nets the coalition to exactly zero, and each statement's net to its lines", async () => {
    for (const period of [earlier, current]) {
      await computeSettlement(db.dataSource, period, afterCurrent);
      const statements = await statementsOf(period);
      expect(statements.reduce((sum, s) => sum + s.netMinor, 0)).toBe(0);
      for (const s of statements) expect(s.lines!.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(s.netMinor);
    }
  });

  it('balances every line to the transfers behind it, and every period to the ledger', async () => {
    for (const [period, start, end] of [
      [earlier, `${earlier}-01`, `${current}-01`],
      [current, `${current}-01`, `${periodOfMonth(1)}-01`],
    ] as const) {
      const statements = await statementsOf(period);
      for (const s of statements) {
        for (const line of s.lines!) {
          const funder = line.kind === 'redeemed_at' || line.kind === 'breakage_share' ? line.counterparty! : s.party;
          const points = line.kind === 'issued' ? await issuedBy(line.transferIds, funder) : await consumedFrom(line.transferIds, funder);
          expect({ line: line.kind, points }).toEqual({ line: line.kind, points: line.points });
        }
      }
      const ledger = await ledgerTotals(start, end);
      const total = (pick: (s: SettlementStatement) => number) => statements.reduce((sum, s) => sum + pick(s), 0);
      expect(total((s) => s.redeemedAtPoints)).toBe(ledger.redeemed);
      expect(total((s) => s.breakagePoints)).toBe(ledger.expired);
      expect(total((s) => s.issuedPoints)).toBe(ledger.issued);
    }
  });

  it('counts a hold when it is posted and a reversal when it is made, never a voided hold', async () => {
    const earlierMonth = await statementsOf(earlier);
    const currentMonth = await statementsOf(current);
    const lines = (statements: SettlementStatement[]) => statements.flatMap((s) => s.lines!);
    expect(lines(earlierMonth).some((l) => l.transferIds.includes(moments.voidedHold))).toBe(false);
    expect(
      lines(earlierMonth)
        .filter((l) => l.transferIds.includes(moments.earlierBurnAtB))
        .map((l) => [l.kind, l.points]),
    ).toEqual(
      expect.arrayContaining([
        ['redeemed_at', 450], // with 50 more of A's points honoured at B
        ['redeemed_elsewhere', 450],
      ]),
    );
    const b = statementOf(currentMonth, parties.b);
    expect(b.redeemedAtPoints).toBe(30 - 400); // C's 30 captured of 50 held; A's 400 reversed
    expect(statementOf(currentMonth, parties.c).redeemedElsewherePoints).toBe(30);
    const drillDown = b.lines!.flatMap((l) => l.transferIds);
    expect(drillDown).toEqual(expect.arrayContaining([moments.holdPostedThisMonth, moments.currentReversal]));
    expect(statementOf(currentMonth, parties.a)).toMatchObject({ redeemedElsewherePoints: -400, netMinor: 320 });
  });

  it('changes nothing when a period is computed again, even by two at once', async () => {
    const before = await db.dataSource.query(`SELECT * FROM settlement_statement ORDER BY id`);
    const linesBefore = await db.dataSource.manager.count(SettlementLine);
    await Promise.all([computeSettlement(db.dataSource, earlier, afterCurrent), computeSettlement(db.dataSource, earlier, afterCurrent)]);
    expect(await db.dataSource.query(`SELECT * FROM settlement_statement ORDER BY id`)).toEqual(before);
    expect(await db.dataSource.manager.count(SettlementLine)).toBe(linesBefore);
    expect((await checkLedger(db.dataSource.manager)).ok).toBe(true);
  });

  it('computes only whole months that have ended, saying what is wrong with the period', async () => {
    const refusal = (period: string, now = afterCurrent) => computeSettlement(db.dataSource, period, now).catch((error: unknown) => error);
    for (const period of ['2026-13', '2026-1', 'October', '']) {
      expect(await refusal(period)).toMatchObject({ code: 'invalid_range', field: 'period', reason: 'must be a month, like 2026-10' });
    }
    const unfinished = await refusal(current, new Date(monthStart(1).getTime() - 3_600_000));
    expect(unfinished).toBeInstanceOf(Refusal);
    expect(unfinished).toMatchObject({ field: 'period', reason: expect.stringContaining('has ended') });
    expect(await db.dataSource.manager.count(SettlementStatement, { where: { period: periodOfMonth(1) } })).toBe(0);
  });
});

describe('the monthly run', () => {
  const emails = { a: 'settle-a@example.test', b: 'settle-b@example.test', c: 'settle-c@example.test' };
  const inboxOf = async (to: string) => (await readInbox(harness.sink.directory)).filter((mail) => mail.to.includes(to));

  it('on the 1st, settles last month and emails each partner its statement with a PDF and a CSV', async () => {
    for (const name of ['a', 'b', 'c'] as const)
      await db.dataSource.manager.update(Partner, { id: parties[name] }, { contactEmail: emails[name] });
    const client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
    // The run of the 1st of next month, 04:00 UTC, as the schedule starts it: it settles this month.
    const now = await harness.env.currentTimeMs();
    const firstOfNextMonth = monthStart(1).getTime() + 4 * 3_600_000;
    if (firstOfNextMonth > now) await harness.env.sleep(firstOfNextMonth - now);
    const run = () =>
      client.workflow.execute(monthlySettlementWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `settlement-${randomUUID()}`,
        args: [{}],
      });
    expect(await run()).toBe(3);
    for (const name of ['a', 'b', 'c'] as const) {
      const [mail, ...more] = await inboxOf(emails[name]);
      expect(more).toEqual([]);
      expect(mail!.subject).toMatch(new RegExp(`^Settlement statement ${currentLabel}: you (receive|pay) €`));
      expect(mail!.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        [`settlement-${current}.pdf`, 'application/pdf'],
        [`settlement-${current}.csv`, 'text/csv'],
      ]);
    }
    expect((await inboxOf(emails.a))[0]!.subject).toBe(`Settlement statement ${currentLabel}: you receive €3.20`);
    const currentMonth = await statementsOf(current);
    expect(currentMonth.filter((s) => s.partnerId).map((s) => s.status)).toEqual(['emailed', 'emailed', 'emailed']);
    expect(statementOf(currentMonth, 'operator').status).toBe('computed');

    // Run again (a retry, a second start): nothing is computed or sent twice.
    expect(await run()).toBe(0);
    expect((await inboxOf(emails.b)).length).toBe(1);
  });

  it('emails a past month when asked, once', async () => {
    const client = new Client({ connection: harness.env.connection, namespace: harness.env.namespace });
    const run = () =>
      client.workflow.execute(monthlySettlementWorkflow, {
        taskQueue: harness.taskQueue,
        workflowId: `settlement-${randomUUID()}`,
        args: [{ period: earlier }],
      });
    expect(await Promise.all([run(), run()]).then(([x, y]) => x + y)).toBe(3);
    const earlierMails = async () => (await inboxOf(emails.c)).filter((mail) => mail.subject.includes(earlierLabel));
    expect((await earlierMails()).map((mail) => mail.subject)).toEqual([`Settlement statement ${earlierLabel}: you receive €4.80`]);
  });

  it('writes the statement in the PDF and every line with its transfers in the CSV', async () => {
    const earlierMonth = statementOf(await statementsOf(earlier), parties.a);
    const document = (await statementDocument(db.dataSource.manager, earlierMonth.id))!;
    const text = pdfText(await settlementPdf(document)).join(' ');
    expect(text).toContain(`Settlement statement ${earlierLabel}`);
    expect(text).toContain(`For: ${document.partyName}`);
    expect(text).toContain('Net: you pay');
    expect(text).toContain('€2.48');
    const csv = settlementCsv(document).trim().split('\r\n');
    expect(csv[0]).toBe('period,party,line,points,value (EUR),amount (EUR),transfers');
    expect(csv).toHaveLength(1 + earlierMonth.lines!.length + 1);
    expect(csv.at(-1)).toBe(`${earlier},${document.partyName},Net: you pay,,,-2.48,`);
    expect(csv.some((row) => row.includes(moments.earlierBurnAtB))).toBe(true);
  });
});

describe('the back office', () => {
  const password = 'settlement-test-password-1';
  let served: Awaited<ReturnType<typeof serveBackOffice>>;

  beforeAll(async () => {
    for (const period of [earlier, current]) await computeSettlement(db.dataSource, period, afterCurrent);
    served = await serveBackOffice(harness);
    // AdminJS bundles the components on the first request: made here, not within a test's time.
    await fetch(`${served.base}/admin/frontend/assets/components.bundle.js`);
    for (const [email, role, partnerId] of [
      ['ops@settlement.test', 'operator_admin', null],
      ['shop-a@settlement.test', 'partner_user', parties.a],
      ['care@settlement.test', 'care_agent', null],
    ] as const) {
      await db.dataSource.query(
        `INSERT INTO staff_user (email, name, role, "partnerId", "passwordHash") VALUES ($1, 'Test user', $2, $3, $4)`,
        [email, role, partnerId, await hashPassword(password)],
      );
    }
  }, 120_000);
  afterAll(() => served?.close());

  async function signIn(email: string): Promise<string> {
    const response = await fetch(`${served.base}/admin/login`, {
      method: 'POST',
      headers: { origin: served.base },
      body: new URLSearchParams({ email, password }),
      redirect: 'manual',
    });
    return response.headers
      .getSetCookie()
      .find((c) => c.startsWith('tessera_admin='))!
      .split(';')[0]!;
  }
  const call = async (cookie: string, path: string, method = 'GET') => {
    const response = await fetch(`${served.base}/admin/api/resources/SettlementStatement${path}`, {
      method,
      headers: { cookie, origin: served.base },
      redirect: 'manual',
      ...(method === 'POST' ? { body: new FormData() } : {}),
    });
    return { status: response.status, body: await response.text() };
  };

  it('shows a partner user its own statements only, through every route AdminJS has', async () => {
    const cookie = await signIn('shop-a@settlement.test');
    const statements = await db.dataSource.manager.find(SettlementStatement);
    const own = statements.filter((s) => s.partnerId === parties.a);
    const others = statements.filter((s) => s.partnerId !== parties.a);
    const listed = JSON.parse((await call(cookie, '/actions/list?perPage=500')).body);
    expect(listed.records.map((r: { id: string }) => r.id).sort()).toEqual(own.map((s) => s.id).sort());
    for (const path of [
      `/actions/list?filters.partnerId=${parties.b}`,
      `/actions/list?filters.period=${earlier}&filters.partnerId=${parties.b}`,
      `/search/${parties.b}?searchProperty=partnerId`,
      `/actions/search/${parties.b}?searchProperty=partnerId`,
      `/search/operator?searchProperty=party`,
      `/search/${earlier.slice(0, 4)}?searchProperty=period`,
      `/search/${current.slice(0, 4)}?searchProperty=period`,
    ]) {
      const answer = await call(cookie, path);
      for (const other of others) expect(answer.body, path).not.toContain(other.id);
    }
    for (const other of others) {
      for (const [path, method] of [
        [`/records/${other.id}/show`, 'GET'],
        [`/records/${other.id}/download`, 'GET'],
        [`/records/${other.id}/download`, 'POST'],
        [`/bulk/bulkDelete?recordIds=${other.id}`, 'GET'],
        [`/records/${other.id}/delete`, 'POST'],
        [`/records/${other.id}/edit`, 'POST'],
      ] as const) {
        const answer = await call(cookie, path, method);
        expect([403, 404], `${method} ${path}`).toContain(answer.status);
        expect(answer.body).not.toContain(`"netMinor"`);
      }
    }
    const download = JSON.parse((await call(cookie, `/records/${own[0]!.id}/download`, 'POST')).body);
    expect(download.pdf.filename).toMatch(new RegExp(`^settlement-(${earlier}|${current})-cafe-aroma\\.pdf$`));
    expect(Buffer.from(download.csv.base64, 'base64').toString()).toContain('Net: you');
  });

  it('refuses staff who do not settle with partners, and lets nobody change a statement', async () => {
    const care = await signIn('care@settlement.test');
    expect((await call(care, '/actions/list')).status).toBe(403);
    const operator = await signIn('ops@settlement.test');
    const [statement] = await db.dataSource.manager.find(SettlementStatement, { take: 1 });
    for (const [path, method] of [
      ['/actions/new', 'POST'],
      [`/records/${statement!.id}/edit`, 'POST'],
      [`/records/${statement!.id}/delete`, 'POST'],
    ] as const) {
      expect((await call(operator, path, method)).status, path).toBe(403);
    }
    const listed = JSON.parse((await call(operator, '/actions/list?perPage=500')).body);
    expect(listed.records).toHaveLength(await db.dataSource.manager.count(SettlementStatement));
    const operatorRow = listed.records.find((r: { params: { party: string } }) => r.params.party === 'operator');
    expect(operatorRow.params.partnerIdName).toBeUndefined();
  });

  it('lists statements by month and party by name, and shows each line with its transfers', async () => {
    const browser = await launchBrowser({ locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
    try {
      const page = await signInToBackOffice(browser, served.base, 'ops@settlement.test', password);
      page.setDefaultTimeout(60_000);
      await page.setViewportSize({ width: 1400, height: 1000 });
      await page.goto(`${served.base}/admin/resources/SettlementStatement`);
      await page.getByText('The operator').first().waitFor();
      await page.getByText(earlierLabel).first().waitFor();
      const partnerA = await db.dataSource.manager.findOneByOrFail(Partner, { id: parties.a });
      await page.getByText(partnerA.name).first().waitFor();
      await page.screenshot({ path: join(artifactsDir, 'settlement-statements-list.png'), fullPage: true });

      const earlierMonth = statementOf(await statementsOf(earlier), parties.a);
      await page.goto(`${served.base}/admin/resources/SettlementStatement/records/${earlierMonth.id}/show`);
      const lines = page.getByTestId('settlement-lines');
      await lines.waitFor();
      expect(await lines.innerText()).toContain('Own points honoured by Boekhandel Bas');
      expect(await lines.innerText()).toContain('Points funded by City Cycles honoured here');
      await lines.locator('details').evaluateAll((all) => all.forEach((details) => details.setAttribute('open', '')));
      await page.setViewportSize({ width: 1400, height: 1800 });
      await page.screenshot({ path: join(artifactsDir, 'settlement-statement-page.png'), fullPage: true });
      // Each transfer reads by its name (number, kind, points), never its id.
      const burn = (await recordNames(db.dataSource.manager, 'LedgerTransfer', [moments.earlierBurnAtB])).get(moments.earlierBurnAtB)!;
      expect(await lines.innerText()).not.toContain(moments.earlierBurnAtB);
      // A posted hold's two transfers say which is the hold and which its post: its points count once.
      expect(await lines.innerText()).toMatch(/#\d+: spent, 300 points \(held\)\s+#\d+: spent, 300 points \(hold posted\)/);
      await page.getByRole('link', { name: burn.name, exact: true }).first().click();
      await page.waitForURL(`**/LedgerTransfer/records/${moments.earlierBurnAtB}/show`);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
