import type { EntityManager } from 'typeorm';
import type { RuleExplanation, TransferKind } from '../entities/index.js';
import { encodeHistoryCursor } from './history-cursor.js';
import { findMember } from './member-summary.js';

export interface HistoryEntry {
  id: string;
  at: Date;
  kind: TransferKind;
  /**
   * What it did to the member's available points: positive in, negative out. A hold counts when
   * it is placed; its release gives the points back, its settlement changes nothing more (0).
   */
  points: number;
  status: 'posted' | 'held' | 'released' | 'settled';
  /** Present only when the viewer may see the details (its own partner's transfers). */
  event?: string;
  explanation?: RuleExplanation[];
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Pass back to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A member's movements, newest first, by cursor. The coalition shares members, not partners'
 * business: details of transfers another partner caused are left out for a partner viewer.
 */
export async function memberHistory(
  manager: EntityManager,
  externalId: string,
  options: { viewerPartnerId?: string; /** Entries older than this sequence number (a decoded cursor). */ before?: bigint; limit: number },
): Promise<HistoryPage> {
  const { account } = await findMember(manager, externalId);
  const rows: {
    id: string;
    seq: string;
    createdAt: Date;
    kind: TransferKind;
    amount: string;
    phase: string;
    debitAccountId: string;
    references: Record<string, string>;
    explanation: RuleExplanation[];
  }[] = await manager.query(
    `SELECT id, seq, "createdAt", kind, amount, phase, "debitAccountId", "references", explanation
       FROM ledger_transfer
      WHERE ("debitAccountId" = $1 OR "creditAccountId" = $1) AND ($2::bigint IS NULL OR seq < $2)
      ORDER BY seq DESC LIMIT $3`,
    [account.id, options.before?.toString() ?? null, options.limit + 1],
  );
  const page = rows.slice(0, options.limit);
  const entries = page.map((r): HistoryEntry => {
    const outgoing = r.debitAccountId === account.id;
    const visible = options.viewerPartnerId === undefined || r.references.partner === options.viewerPartnerId;
    return {
      id: r.id,
      at: r.createdAt,
      kind: r.kind,
      points: r.phase === 'post' ? 0 : (outgoing === (r.phase !== 'void') ? -1 : 1) * Number(r.amount),
      status: ({ single: 'posted', pending: 'held', void: 'released', post: 'settled' } as const)[r.phase as 'single'],
      ...(visible ? { event: r.references.event, explanation: r.explanation } : {}),
    };
  });
  const last = page.at(-1);
  return { entries, nextCursor: rows.length > options.limit && last ? encodeHistoryCursor(last.seq) : null };
}
