import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../../admin/passwords.js';
import { EarningRule, ProgramSettings, Reward, StaffUser } from '../../entities/index.js';
import { issueApiKey } from '../../loyalty/api-keys.js';
import { enrolCustomer } from '../../loyalty/member-identity.js';
import { openMemberSession } from '../../loyalty/member-sessions.js';
import { openDataSource } from '../../wiring/database.js';
import { workflowIds } from '../../workflows/process-dispatch.js';
import { createProgram } from './program.js';

/*
 * The trust issue's chaos load (test/chaos.test.ts, test/scale-out.test.ts): partners' stores and a
 * care agent sending events, refunds, redemptions, transfers and care adjustments, each retried with
 * its key until answered, and the checks that every acknowledged request is there exactly once.
 */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

export interface ChaosProgram {
  keys: { partnerId: string; key: string }[];
  members: string[];
  /** Each member's session, as their sign-in gives one: their say on the debits the load makes. */
  sessions: Map<string, string>;
}

/** Migrates the database at `url` and seeds the program the load runs on. */
export async function seedChaosProgram(url: string): Promise<ChaosProgram> {
  const keys: ChaosProgram['keys'] = [];
  const members = Array.from({ length: 24 }, (_, i) => `chaos-${i}`);
  const sessions = new Map<string, string>();
  const seeding = await openDataSource(url);
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

  return { keys, members, sessions };
}

/** The environment of the product's processes under the load, but for the database and the port. */
export function chaosEnvironment(services: { temporalAddress: string; taskQueue: string; smtpUrl: string; smsUrl: string }) {
  return {
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: services.taskQueue,
    SMTP_URL: services.smtpUrl,
    SMS_URL: services.smsUrl,
    SESSION_SECRET: randomUUID() + randomUUID(),
    REWARD_SUPPLIER: 'fake',
    FAKE_SUPPLIER_SHIP_SECONDS: '1',
    FAKE_SUPPLIER_BACKORDERED_REWARDS: '',
    FULFILMENT_POLL_SECONDS: '1',
    LOG_LEVEL: 'warn',
    ADMIN_JS_TMP_DIR: mkdtempSync(join(tmpdir(), 'tessera-adminjs-')),
  };
}

export type Kind = 'event' | 'refund' | 'redemption' | 'transfer' | 'care';
export interface Operation {
  kind: Kind;
  /** The Idempotency-Key (API) or the adjustment's reason (back office). */
  key: string;
  partner: ChaosProgram['keys'][number];
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

/**
 * The load: clients that each send one random operation at a time, every attempt to one of the
 * web processes at `bases` (as a load balancer would spread them), until told to stop.
 */
export class ChaosLoad {
  private careCookie: string | null = null;
  /** Every 5xx an API call answered (status and body): a broken component shows here before anything is lost. */
  readonly serverErrors: string[] = [];
  /** How many API answers each web process gave (2xx or 4xx), by its base URL. */
  readonly answeredBy = new Map<string, number>();

  constructor(
    private readonly program: ChaosProgram,
    private readonly bases: string[],
  ) {}

  private base(): string {
    return pick(this.bases);
  }

  /** A partner's store: sends, and retries with the same key until it hears back or gives up. */
  private async sendApi(operation: Operation, method: string, path: string, body: object, until: () => boolean): Promise<void> {
    for (;;) {
      operation.attempts += 1;
      try {
        const base = this.base();
        const response = await fetch(`${base}/api/v1${path}`, {
          method,
          headers: {
            authorization: `Bearer ${operation.partner.key}`,
            'content-type': 'application/json',
            'idempotency-key': operation.key,
            ...(operation.member ? { 'member-authorization': `Bearer ${this.program.sessions.get(operation.member)}` } : {}),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status < 500) this.answeredBy.set(base, (this.answeredBy.get(base) ?? 0) + 1);
        if (response.status < 300) return void (operation.acknowledged = { id: String(answer.id), body: answer });
        if (response.status < 500) return void (operation.refused = response.status);
        this.serverErrors.push(`${method} ${path} ${response.status} ${JSON.stringify(answer)}`);
      } catch {
        // Refused connection, reset, timeout: the store does not know what happened, and asks again.
      }
      if (until()) return;
      await pause(300);
    }
  }

  /** A care agent in the back office: one attempt, no key to retry with (a lost answer stays unknown). */
  private async sendCare(operation: Operation, member: string): Promise<void> {
    operation.attempts += 1;
    try {
      this.careCookie ??= await this.signIn();
      const form = new FormData();
      form.set('memberExternalId', member);
      form.set('points', String(1 + Math.floor(Math.random() * 20)));
      form.set('reason', operation.key);
      const base = this.base();
      const response = await fetch(`${base}/admin/api/resources/CareAdjustment/actions/new`, {
        method: 'POST',
        headers: { cookie: this.careCookie, origin: base },
        body: form,
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json()) as { record?: { params?: { id?: string } } };
      if (response.status === 200 && answer.record?.params?.id) operation.acknowledged = { id: answer.record.params.id, body: answer };
      else if (response.status >= 400 && response.status < 500) operation.refused = response.status;
    } catch {
      this.careCookie = null;
    }
  }

  private async signIn(): Promise<string> {
    const base = this.base();
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
  async client(operations: Operation[], chaosOver: () => boolean, giveUp: () => boolean): Promise<void> {
    while (!chaosOver()) {
      const kind = pick<Kind>(['event', 'event', 'event', 'event', 'refund', 'redemption', 'redemption', 'transfer', 'transfer', 'care']);
      const operation: Operation = { kind, key: `chaos-${kind}-${randomUUID()}`, partner: pick(this.program.keys), attempts: 0 };
      if (kind === 'refund') {
        const refundable = operations.filter((o) => o.kind === 'event' && o.acknowledged && !o.refunded);
        const event = refundable.length > 0 ? pick(refundable) : undefined;
        if (!event) continue;
        event.refunded = true;
        operation.partner = event.partner;
        operations.push(operation);
        await this.sendApi(operation, 'POST', `/events/${event.acknowledged!.id}/refunds`, {}, giveUp);
        continue;
      }
      operations.push(operation);
      const member = pick(this.program.members);
      if (kind === 'event') {
        const amountCents = 500 + Math.floor(Math.random() * 20_000);
        await this.sendApi(
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
        await this.sendApi(operation, 'POST', `/members/${member}/redemptions`, { reward: pick(['coffee', 'mug']) }, giveUp);
      } else if (kind === 'transfer') {
        operation.member = member;
        await this.sendApi(
          operation,
          'POST',
          `/members/${member}/transfers`,
          { to: pick(this.program.members.filter((m) => m !== member)), points: 3 },
          giveUp,
        );
      } else {
        await this.sendCare(operation, member);
      }
    }
  }
}

/** What the client was told, held against what the database holds. */
export async function verify(db: DataSource, operations: Operation[]) {
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
export async function unsettledHoldsWithoutProcess(db: DataSource, temporal: Client): Promise<string[]> {
  const holds: { id: string; redemption: string | null; code: string | null }[] = await db.query(
    `SELECT p.id, r.id AS redemption, w.code FROM ledger_transfer p
       LEFT JOIN redemption r ON r."transferId" = p.id LEFT JOIN reward w ON w.id = r."rewardId"
      WHERE p.phase = 'pending' AND NOT EXISTS (SELECT 1 FROM ledger_transfer s WHERE s."pendingTransferId" = p.id)`,
  );
  const missing: string[] = [];
  for (const hold of holds) {
    const running = async (workflowId: string) =>
      (
        await temporal.workflow
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
export async function stuckWorkflows(db: DataSource, temporal: Client, taskQueue: string): Promise<string[]> {
  const stuck: string[] = [];
  for await (const execution of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
    const { workflowId, type, status } = execution;
    if (status.name === 'FAILED' || status.name === 'TERMINATED' || status.name === 'TIMED_OUT')
      stuck.push(`${type} ${workflowId} ${status.name}`);
    if (status.name !== 'RUNNING') continue;
    if (type === 'holdTimeoutWorkflow') continue;
    if (type === 'careApprovalWorkflow') {
      const [adjustment] = await db.query(`SELECT status FROM care_adjustment WHERE id = $1`, [workflowId.replace('care-approval-', '')]);
      if (adjustment?.status === 'awaiting_approval') continue;
    }
    const pending = (await temporal.workflow.getHandle(workflowId).describe()).raw.pendingActivities ?? [];
    const waitingOn = pending
      .map((a) => `${a.activityType?.name} attempt ${a.attempt}: ${a.lastFailure?.message ?? 'no failure'}`)
      .join('; ');
    stuck.push(`${type} ${workflowId} still running${waitingOn ? ` (${waitingOn})` : ''}`);
  }
  return stuck;
}
