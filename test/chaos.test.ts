import { randomUUID } from 'node:crypto';
import { enrolCustomer } from '../loyalty/member-identity.js';
import { openMemberSession } from '../loyalty/member-sessions.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashPassword } from '../admin/passwords.js';
import { EarningRule, ProgramSettings, Reward, StaffUser } from '../entities/index.js';
import { issueApiKey } from '../loyalty/api-keys.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { openDataSource } from '../wiring/database.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { freePort } from '../wiring/free-port.js';
import { outboxSweepWorkflow } from '../workflows/outbox-sweep.workflow.js';
import { workflowIds } from '../workflows/process-dispatch.js';
import { KillablePostgres, SupervisedProcess, waitFor } from './support/chaos.js';
import { createProgram } from './support/program.js';
import { startDevServer } from './support/temporal.js';

/*
 * A mixed load (events, refunds, redemptions, transfers, care adjustments) through the API and the
 * back office, while the web process, the worker and PostgreSQL itself are killed (SIGKILL) at
 * random moments and started again. Afterwards every acknowledged request is there exactly once,
 * nothing unacknowledged is half-written, the ledger holds, every hold is settled or waiting with
 * its process, and no workflow is stuck. `npm run chaos` runs a longer one (CHAOS_KILLS).
 */
const kills = Number(process.env.CHAOS_KILLS ?? 20);
const targets = (process.env.CHAOS_TARGETS ?? 'web,worker,postgres').split(',') as ('web' | 'worker' | 'postgres')[];
const taskQueue = 'chaos';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

let temporal: TestWorkflowEnvironment;
let sink: RunningMailSink;
let smsSink: RunningSmsSink;
let postgres: KillablePostgres;
let web: SupervisedProcess;
let worker: SupervisedProcess;
let base: string;
const keys: { partnerId: string; key: string }[] = [];
const members = Array.from({ length: 24 }, (_, i) => `chaos-${i}`);
/** Each member's session, as their sign-in gives one: their say on the debits the load makes. */
const sessions = new Map<string, string>();

beforeAll(async () => {
  [temporal, sink, smsSink, postgres] = await Promise.all([
    startDevServer(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    KillablePostgres.create(),
  ]);
  const seeding = await openDataSource(postgres.url);
  const p = await createProgram(seeding);
  await seeding.manager.insert(ProgramSettings, {
    id: 1,
    expiryPolicy: { mode: 'never' },
    transferMaxPoints: 1_000,
    transferMaxPointsPerDay: 1_000_000,
    careApprovalThreshold: 30,
  });
  await seeding.manager.insert(EarningRule, {
    name: '1 point per euro',
    formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' },
  });
  await seeding.manager.insert(Reward, [
    { code: 'coffee', name: 'Coffee voucher', pointsPrice: 5 },
    { code: 'mug', name: 'Mug', pointsPrice: 20, needsFulfilment: true, stock: 100_000 },
  ]);
  for (const points of [50_000_000, 50_000_000]) {
    const { partner } = await p.partner(points);
    keys.push({ partnerId: partner.id, key: (await issueApiKey(seeding.manager, partner.id, 'chaos')).secret });
  }
  await seeding.manager.insert(StaffUser, {
    email: 'chaos-care@tessera.test',
    name: 'Chaos care agent',
    role: 'care_agent',
    passwordHash: await hashPassword('chaos-care-password'),
  });
  // Every member is known to both stores by the same id and a verified email: one person, whom both may serve.
  for (const member of members) {
    for (const { partnerId } of keys) {
      // In a transaction, as every enrolment: it queues the member's welcome.
      const { member: enrolled } = await seeding.transaction((manager) =>
        enrolCustomer(manager, p.ledger, { partnerId, customerId: member, email: `${member}@example.test`, emailVerified: true }),
      );
      sessions.set(member, (await openMemberSession(seeding.manager, { memberId: enrolled.id, partnerId: null })).token);
    }
  }
  await seeding.destroy();

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: postgres.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: sink.smtpUrl,
    SMS_URL: smsSink.smsUrl,
    SESSION_SECRET: randomUUID() + randomUUID(),
    PORT: String(port),
    REWARD_SUPPLIER: 'fake',
    FAKE_SUPPLIER_SHIP_SECONDS: '1',
    FAKE_SUPPLIER_BACKORDERED_REWARDS: '',
    FULFILMENT_POLL_SECONDS: '1',
    LOG_LEVEL: 'warn',
    ADMIN_JS_TMP_DIR: mkdtempSync(join(tmpdir(), 'tessera-adminjs-')),
  };
  web = new SupervisedProcess('web', env);
  worker = new SupervisedProcess('worker', env);
  web.start();
  worker.start();
  await healthy();
}, 180_000);

afterAll(async () => {
  await Promise.all([web?.stop(), worker?.stop()]);
  await Promise.all([temporal?.teardown(), sink?.stop(), smsSink?.stop(), postgres?.stop()]);
});

const healthy = () => waitFor('web /health', async () => ((await fetch(`${base}/health`)).ok ? true : undefined), 120_000);

type Kind = 'event' | 'refund' | 'redemption' | 'transfer' | 'care';
interface Operation {
  kind: Kind;
  /** The Idempotency-Key (API) or the adjustment's reason (back office). */
  key: string;
  partner: (typeof keys)[number];
  attempts: number;
  /** For a debit: the member whose session gives their say. */
  member?: string;
  /** A 2xx the client received. */
  acknowledged?: { id: string; body: Record<string, unknown> };
  /** A 4xx: a definitive refusal, nothing written. */
  refused?: number;
  /** An acknowledged event a refund was sent for. */
  refunded?: boolean;
}

/** A partner's store: sends, and retries with the same key until it hears back or gives up. */
async function sendApi(operation: Operation, method: string, path: string, body: object, until: () => boolean): Promise<void> {
  for (;;) {
    operation.attempts += 1;
    try {
      const response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${operation.partner.key}`,
          'content-type': 'application/json',
          'idempotency-key': operation.key,
          ...(operation.member ? { 'member-authorization': `Bearer ${sessions.get(operation.member)}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (response.status < 300) return void (operation.acknowledged = { id: String(answer.id), body: answer });
      if (response.status < 500) return void (operation.refused = response.status);
    } catch {
      // Refused connection, reset, timeout: the store does not know what happened, and asks again.
    }
    if (until()) return;
    await pause(300);
  }
}

let careCookie: string | null = null;
/** A care agent in the back office: one attempt, no key to retry with (a lost answer stays unknown). */
async function sendCare(operation: Operation, member: string): Promise<void> {
  operation.attempts += 1;
  try {
    careCookie ??= await signIn();
    const form = new FormData();
    form.set('memberExternalId', member);
    form.set('points', String(1 + Math.floor(Math.random() * 20)));
    form.set('reason', operation.key);
    const response = await fetch(`${base}/admin/api/resources/CareAdjustment/actions/new`, {
      method: 'POST',
      headers: { cookie: careCookie, origin: base },
      body: form,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as { record?: { params?: { id?: string } } };
    if (response.status === 200 && answer.record?.params?.id) operation.acknowledged = { id: answer.record.params.id, body: answer };
    else if (response.status >= 400 && response.status < 500) operation.refused = response.status;
  } catch {
    careCookie = null;
  }
}

async function signIn(): Promise<string> {
  const response = await fetch(`${base}/admin/login`, {
    method: 'POST',
    headers: { origin: base },
    body: new URLSearchParams({ email: 'chaos-care@tessera.test', password: 'chaos-care-password' }),
    redirect: 'manual',
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('tessera_admin='));
  if (!cookie) throw new Error(`sign-in answered ${response.status}`);
  return cookie.split(';')[0]!;
}

/** One client: random operations, each sent until answered, until the chaos is over and a grace period has passed. */
async function client(operations: Operation[], chaosOver: () => boolean, giveUp: () => boolean): Promise<void> {
  while (!chaosOver()) {
    const kind = pick<Kind>(['event', 'event', 'event', 'event', 'refund', 'redemption', 'redemption', 'transfer', 'transfer', 'care']);
    const operation: Operation = { kind, key: `chaos-${kind}-${randomUUID()}`, partner: pick(keys), attempts: 0 };
    if (kind === 'refund') {
      const refundable = operations.filter((o) => o.kind === 'event' && o.acknowledged && !o.refunded);
      const event = refundable.length > 0 ? pick(refundable) : undefined;
      if (!event) continue;
      event.refunded = true;
      operation.partner = event.partner;
      operations.push(operation);
      await sendApi(operation, 'POST', `/events/${event.acknowledged!.id}/refunds`, {}, giveUp);
      continue;
    }
    operations.push(operation);
    const member = pick(members);
    if (kind === 'event') {
      const amountCents = 500 + Math.floor(Math.random() * 20_000);
      await sendApi(
        operation,
        'POST',
        '/events',
        {
          member: { externalId: member, email: `${member}@example.test` },
          type: 'purchase',
          amountCents,
          currency: 'EUR',
          // The store's own order number: one order is one event, however often it is sent.
          lines: [{ reference: operation.key, quantity: 1, unitPriceCents: amountCents }],
        },
        giveUp,
      );
    } else if (kind === 'redemption') {
      operation.member = member;
      await sendApi(operation, 'POST', `/members/${member}/redemptions`, { reward: pick(['coffee', 'mug']) }, giveUp);
    } else if (kind === 'transfer') {
      operation.member = member;
      await sendApi(
        operation,
        'POST',
        `/members/${member}/transfers`,
        { to: pick(members.filter((m) => m !== member)), points: 3 },
        giveUp,
      );
    } else {
      await sendCare(operation, member);
    }
  }
}

it(`keeps every acknowledged request exactly once through ${kills} kills of web, worker and PostgreSQL`, { timeout: 900_000 }, async () => {
  const operations: Operation[] = [];
  let over = false;
  let graceEnds = Infinity;
  const clients = Array.from({ length: 4 }, () =>
    client(
      operations,
      () => over,
      () => Date.now() > graceEnds,
    ),
  );
  const killed: Record<string, number> = { web: 0, worker: 0, postgres: 0 };
  for (let k = 0; k < kills; k++) {
    await pause(2_500 + Math.random() * 3_500);
    const target = pick(targets);
    killed[target]! += 1;
    if (target === 'postgres') {
      await postgres.kill();
      await pause(300 + Math.random() * 1_500);
      await postgres.start();
    } else {
      await (target === 'web' ? web : worker).kill();
    }
  }
  over = true;
  await healthy();
  graceEnds = Date.now() + 60_000;
  await Promise.all(clients);

  const db = await openDataSource(postgres.url);
  try {
    // Whatever a commit queued is started (the schedule would in a minute), and the fulfilments finish.
    await temporal.client.workflow.execute(outboxSweepWorkflow, { taskQueue, workflowId: `chaos-sweep-${randomUUID()}` });
    await waitFor(
      'the redemptions to ship',
      async () =>
        Number((await db.query(`SELECT COUNT(*) AS n FROM redemption WHERE status IN ('awaiting_fulfilment', 'ordered')`))[0].n) === 0
          ? true
          : undefined,
      120_000,
    );
    const report = await verify(db, operations);
    console.log(
      `Chaos: ${operations.length} requests (${operations.reduce((n, o) => n + o.attempts, 0)} attempts), ` +
        `${kills} kills (web ${killed.web}, worker ${killed.worker}, PostgreSQL ${killed.postgres}; ` +
        `restarts seen: web ${web.restarts}, worker ${worker.restarts}), ` +
        `${report.acknowledged} acknowledged, ${report.refused} refused, ${report.unknown} unanswered, ` +
        `${report.found} found, lost = ${report.lost.length}, doubled = ${report.doubled.length}`,
    );
    expect(report.lost, 'acknowledged but missing').toEqual([]);
    expect(report.doubled, 'present more than once').toEqual([]);
    expect(report.halfWritten, 'half-written').toEqual([]);
    expect((await checkLedger(db.manager)).violations).toEqual([]);
    expect(await unsettledHoldsWithoutProcess(db)).toEqual([]);
    // A process that finished its business step still sends its email: give it the time to, then nothing may run on.
    if (process.env.CHAOS_VERBOSE) console.log(`web:\n${web.tail()}\nworker:\n${worker.tail()}`);
    const stuck = await waitFor(
      'every process to finish or wait',
      async () => ((await stuckWorkflows(db)).length === 0 ? [] : undefined),
      150_000,
    ).catch(() => stuckWorkflows(db));
    expect(stuck).toEqual([]);
  } catch (error) {
    console.log(`web:\n${web.tail()}\nworker:\n${worker.tail()}`);
    throw error;
  } finally {
    await db.destroy();
  }
});

/** What the client was told, held against what the database holds. */
async function verify(db: DataSource, operations: Operation[]) {
  const lost: string[] = [];
  const doubled: string[] = [];
  const halfWritten: string[] = [];
  let found = 0;
  const count = async (sql: string, params: unknown[]) => Number((await db.query(sql, params))[0].n);
  for (const o of operations.filter((op) => op.acknowledged)) {
    const id = o.acknowledged!.id;
    const present = {
      event: () => count(`SELECT COUNT(*) AS n FROM member_event WHERE id = $1`, [id]),
      refund: () => count(`SELECT COUNT(*) AS n FROM event_refund WHERE id = $1`, [id]),
      redemption: () => count(`SELECT COUNT(*) AS n FROM redemption WHERE id = $1`, [id]),
      transfer: () => count(`SELECT COUNT(*) AS n FROM ledger_transfer WHERE id = $1 AND kind = 'transfer'`, [id]),
      care: () => count(`SELECT COUNT(*) AS n FROM care_adjustment WHERE id = $1 AND reason = $2`, [id, o.key]),
    }[o.kind];
    const n = await present();
    if (n === 0) lost.push(`${o.kind} ${o.key}`);
    else found += 1;
  }
  // One order, one event, however often it was sent; one adjustment per reason typed.
  for (const row of await db.query(
    `SELECT e.lines->0->>'reference' AS reference, COUNT(*) AS n FROM member_event e GROUP BY 1 HAVING COUNT(*) > 1`,
  )) {
    doubled.push(`event ${row.reference} × ${row.n}`);
  }
  for (const row of await db.query(`SELECT reason, COUNT(*) AS n FROM care_adjustment GROUP BY 1 HAVING COUNT(*) > 1`)) {
    doubled.push(`care ${row.reason} × ${row.n}`);
  }
  // Every write the API committed recorded its answer with it, and nothing exists without one.
  const answered = (shape: string) =>
    count(`SELECT COUNT(*) AS n FROM api_request WHERE status BETWEEN 200 AND 299 AND response ? $1`, [shape]);
  const pairs: [string, number, number][] = [
    ['events', await count(`SELECT COUNT(*) AS n FROM member_event`, []), await answered('totalPoints')],
    ['refunds', await count(`SELECT COUNT(*) AS n FROM event_refund`, []), await answered('refundedCents')],
    ['redemptions', await count(`SELECT COUNT(*) AS n FROM redemption`, []), await answered('reward')],
    ['transfers', await count(`SELECT COUNT(*) AS n FROM ledger_transfer WHERE kind = 'transfer'`, []), await answered('from')],
  ];
  for (const [what, written, recorded] of pairs)
    if (written !== recorded) halfWritten.push(`${what}: ${written} written, ${recorded} answered`);
  halfWritten.push(
    ...(await db.query(`SELECT 'api request without its answer ' || "idempotencyKey" AS x FROM api_request WHERE status = 0`)).map(
      (r: { x: string }) => r.x,
    ),
  );
  // An adjustment is applied (with its transfer), refused (with why), or waiting with its approval queued.
  for (const row of await db.query(
    `SELECT a.id, a.status FROM care_adjustment a
      WHERE NOT ((a.status = 'applied' AND EXISTS (SELECT 1 FROM ledger_transfer t WHERE t.id = a."transferId"))
              OR (a.status = 'rejected' AND a.outcome IS NOT NULL)
              OR (a.status = 'awaiting_approval' AND EXISTS (SELECT 1 FROM outbox_entry o WHERE o."subjectId" = a.id)))`,
  )) {
    halfWritten.push(`care adjustment ${row.id} ${row.status}`);
  }
  const acknowledged = operations.filter((o) => o.acknowledged).length;
  const refused = operations.filter((o) => o.refused).length;
  return { lost, doubled, halfWritten, found, acknowledged, refused, unknown: operations.length - acknowledged - refused };
}

/** Holds not posted or voided, whose timeout process (and fulfilment, for a redemption) is not running. */
async function unsettledHoldsWithoutProcess(db: DataSource): Promise<string[]> {
  const holds: { id: string; redemption: string | null; code: string | null }[] = await db.query(
    `SELECT p.id, r.id AS redemption, w.code FROM ledger_transfer p
       LEFT JOIN redemption r ON r."transferId" = p.id LEFT JOIN reward w ON w.id = r."rewardId"
      WHERE p.phase = 'pending' AND NOT EXISTS (SELECT 1 FROM ledger_transfer s WHERE s."pendingTransferId" = p.id)`,
  );
  const missing: string[] = [];
  for (const hold of holds) {
    const running = async (workflowId: string) =>
      (
        await temporal.client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => undefined)
      )?.status.name === 'RUNNING';
    if (!(await running(workflowIds.holdTimeout(hold.id)))) missing.push(`hold ${hold.id}: no timeout process`);
    if (hold.redemption && !(await running(workflowIds.rewardFulfilment(hold.code!, hold.redemption)))) {
      missing.push(`hold ${hold.id}: no fulfilment`);
    }
  }
  return missing;
}

/** Workflows that failed, or still run without waiting on anything they should (only timeouts and approvals wait). */
async function stuckWorkflows(db: DataSource): Promise<string[]> {
  const stuck: string[] = [];
  for await (const execution of temporal.client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const { workflowId, type, status } = execution;
    if (status.name === 'FAILED' || status.name === 'TERMINATED' || status.name === 'TIMED_OUT')
      stuck.push(`${type} ${workflowId} ${status.name}`);
    if (status.name !== 'RUNNING') continue;
    if (type === 'holdTimeoutWorkflow') continue;
    if (type === 'careApprovalWorkflow') {
      const [adjustment] = await db.query(`SELECT status FROM care_adjustment WHERE id = $1`, [workflowId.replace('care-approval-', '')]);
      if (adjustment?.status === 'awaiting_approval') continue;
    }
    const pending = (await temporal.client.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
    const waitingOn = pending
      .map((a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure'}`)
      .join('; ');
    stuck.push(`${type} ${workflowId} still running${waitingOn ? ` (${waitingOn})` : ''}`);
  }
  return stuck;
}
