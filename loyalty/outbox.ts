import { And, In, IsNull, Not, type DataSource, type EntityManager } from 'typeorm';
import { OutboxEntry, type OutboxProcess } from '../entities/index.js';

/** What each process needs besides its subject, by process: the dispatcher's starters read it typed. */
export interface OutboxDetails {
  webhook_delivery: Record<string, never>;
  /** The reward's code makes the workflow id readable in the Temporal UI. */
  reward_fulfilment: { rewardCode: string };
  care_approval: Record<string, never>;
  /** When the hold gives its points back if nothing settled it (ISO 8601). */
  hold_timeout: { expiresAt: string };
  /** The kind makes the workflow id readable; a message held for a civil hour of the member's day says until when (ISO 8601). */
  member_message: { kind: string; notBefore?: string };
  campaign_lifecycle: Record<string, never>;
  /** The campaign a notice to its owner is about (the subject is the notice itself), and what it tells. */
  campaign_notice: { campaignId: string; notice: 'budget_spent' };
  /** The partner campaign waiting for the operator (the subject is the request, one per time it is asked). */
  campaign_approval: { campaignId: string };
  staff_invitation: Record<string, never>;
  /** The subject is the purchase event to count towards live challenges. */
  challenge_progress: Record<string, never>;
  /** The subject is the purchase event whose badges by rule are awarded. */
  badge_award: Record<string, never>;
  /** The subject is the event whose points live leaderboards rank. */
  leaderboard_score: Record<string, never>;
  /** The subject is the leaderboard round (one period) to freeze and pay once it ends. */
  leaderboard_close: Record<string, never>;
  /** The subject is the uploaded receipt to read, settle and, after its retention, forget the image of. */
  receipt_reading: Record<string, never>;
  /** The subject is the message campaign; it waits until its time (ISO 8601). */
  message_campaign: { sendAt: string };
}

/** A queued process as the dispatcher sees it. */
export type QueuedProcess = {
  [P in OutboxProcess]: { id: string; process: P; subjectId: string; details: OutboxDetails[P] };
}[OutboxProcess];

/** Outbox entries queued by the transaction behind `manager`, kept on its query runner until the commit. */
function collected(manager: EntityManager): string[] {
  const data = manager.queryRunner?.data as { outbox?: string[] } | undefined;
  if (!data) throw new Error('Queue a process inside a transaction: it starts when that transaction commits');
  data.outbox ??= [];
  return data.outbox;
}

/**
 * Queues a process to start once the caller's transaction commits (an outbox row written with
 * the business change). Queuing it twice for one subject queues it once.
 */
export async function queueProcess<P extends OutboxProcess>(
  manager: EntityManager,
  process: P,
  subjectId: string,
  details: OutboxDetails[P],
): Promise<void> {
  const queued = collected(manager);
  const inserted = await manager
    .createQueryBuilder()
    .insert()
    .into(OutboxEntry)
    .values({ process, subjectId, details })
    .orIgnore()
    .returning(['id'])
    .execute();
  const id: string | undefined = inserted.raw[0]?.id;
  if (id) queued.push(id);
}

/**
 * Queues a process queued before for `subjectId` to be started again after the caller's commit, with
 * the details it was first queued with: its dispatcher then wakes the running workflow (a signal
 * with start), and the sweep does so when a crash came between the commit and the wake.
 */
export async function requeueProcess(manager: EntityManager, process: OutboxProcess, subjectId: string): Promise<void> {
  const queued = collected(manager);
  const rows: { id: string }[] = await manager.query(
    `UPDATE outbox_entry SET "dispatchedAt" = NULL WHERE process = $1 AND "subjectId" = $2 RETURNING id`,
    [process, subjectId],
  );
  for (const { id } of rows) if (!queued.includes(id)) queued.push(id);
}

/** The details `process` was queued with for `subjectId`; undefined when it never was. */
export async function queuedDetails<P extends OutboxProcess>(
  manager: EntityManager,
  process: P,
  subjectId: string,
): Promise<OutboxDetails[P] | undefined> {
  const row = await manager.findOneBy(OutboxEntry, { process, subjectId });
  return row?.details as OutboxDetails[P] | undefined;
}

/** The entries the caller's transaction queued: what its committer starts right after the commit. */
export function queuedBy(manager: EntityManager): string[] {
  return [...collected(manager)];
}

/** Entries not started yet among `ids` (all of them when absent), but for those `excluding`, oldest first. */
export async function undispatchedProcesses(
  dataSource: DataSource,
  options: { ids?: string[]; excluding?: string[]; limit: number },
): Promise<QueuedProcess[]> {
  const ids = options.ids ? In(options.ids) : undefined;
  const excluded = options.excluding?.length ? Not(In(options.excluding)) : undefined;
  const rows = await dataSource.manager.find(OutboxEntry, {
    where: { dispatchedAt: IsNull(), ...(ids && excluded ? { id: And(ids, excluded) } : ids || excluded ? { id: ids ?? excluded } : {}) },
    order: { createdAt: 'ASC' },
    take: options.limit,
  });
  return rows.map((row) => ({ id: row.id, process: row.process, subjectId: row.subjectId, details: row.details }) as QueuedProcess);
}

/** Records that the entries' workflows exist, so the sweep leaves them alone. */
export async function markProcessesDispatched(dataSource: DataSource, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await dataSource.manager.update(OutboxEntry, { id: In(ids), dispatchedAt: IsNull() }, { dispatchedAt: new Date() });
}
