import type { EntityManager } from 'typeorm';
import { transferKinds, type RuleExplanation, type TransferKind } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { isUuid } from './ids.js';
import { historyPoints, historyStatus, type HistoryStatus } from './member-history.js';
import { memberWithAccount } from './member-identity.js';

/** Which of a member's movements care looks at: of a kind, at a partner, between two days (UTC, both included). */
export interface CareHistoryFilter {
  kind?: TransferKind;
  partnerId?: string;
  from?: string;
  to?: string;
}

/** A movement as care reads it: where it happened, by name, and why. */
export interface CareHistoryEntry {
  id: string;
  at: Date;
  kind: TransferKind;
  /** What it did to the available points (see HistoryEntry). */
  points: number;
  status: HistoryStatus;
  /** The partner it happened at (a purchase, a redemption there) or, for expired points, the one who funded them. */
  partner: string | null;
  pointOfSale: string | null;
  details: string;
}

export interface CareHistoryPage {
  entries: CareHistoryEntry[];
  /** Movements matching the filter, on every page. */
  total: number;
  page: number;
  perPage: number;
}

const day = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (value: string) =>
  day.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** The filter care asked for (query values as sent), or what is wrong with it, field by field. */
export function parseCareHistoryFilter(query: Record<string, unknown>): { filter: CareHistoryFilter; errors: FieldErrors } {
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '');
  const filter: CareHistoryFilter = {};
  const errors: FieldErrors = {};
  const kind = text('kind');
  if (kind) {
    if ((transferKinds as readonly string[]).includes(kind)) filter.kind = kind as TransferKind;
    else errors.kind = `choose one of ${transferKinds.join(', ')}`;
  }
  const partner = text('partner');
  if (partner) {
    if (isUuid(partner)) filter.partnerId = partner;
    else errors.partner = 'choose a partner from the list';
  }
  for (const bound of ['from', 'to'] as const) {
    const value = text(bound);
    if (!value) continue;
    if (isDay(value)) filter[bound] = value;
    else errors[bound] = 'must be a day, like 2025-05-02';
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.to = 'must be on or after the day in From';
  return { filter, errors };
}

/** What a movement without reasons of its own was, in words. */
const plainWords: Partial<Record<TransferKind, { in: string; out: string }>> = {
  merge: { in: 'points of an account merged into this one', out: 'moved to the account this one was merged into' },
  transfer: { in: 'points another member gave them', out: 'points they gave another member' },
  reversal: { in: 'a movement reversed', out: 'a movement reversed' },
};

/**
 * A page of the member's movements, newest first, filtered as care asks, each with the partner
 * and point of sale it happened at, by name, and why it happened (for a care adjustment, who asked
 * and who approved).
 */
export async function careHistory(
  manager: EntityManager,
  memberId: string,
  filter: CareHistoryFilter,
  { page, perPage }: { page: number; perPage: number },
): Promise<CareHistoryPage> {
  const { account } = await memberWithAccount(manager, memberId);
  const where = `(t."debitAccountId" = $1 OR t."creditAccountId" = $1) AND t.phase IN ('single', 'pending')
      AND ($2::text IS NULL OR t.kind = $2) AND ($3::text IS NULL OR t."references"->>'partner' = $3)
      AND ($4::date IS NULL OR t."createdAt" >= $4::date AT TIME ZONE 'UTC')
      AND ($5::date IS NULL OR t."createdAt" < ($5::date + 1) AT TIME ZONE 'UTC')`;
  const parameters = [account.id, filter.kind ?? null, filter.partnerId ?? null, filter.from ?? null, filter.to ?? null];
  const [{ total }] = await manager.query(`SELECT COUNT(*)::int AS total FROM ledger_transfer t WHERE ${where}`, parameters);
  const rows: {
    id: string;
    createdAt: Date;
    kind: TransferKind;
    amount: string;
    phase: string;
    debitAccountId: string;
    references: Record<string, string>;
    explanation: RuleExplanation[];
    resolution: 'post' | 'void' | null;
    /** What a post took, which may be less than its hold (a partial capture). */
    resolvedAmount: string | null;
    partner: string | null;
    pointOfSale: string | null;
    reward: string | null;
  }[] = await manager.query(
    // The member's transfers through the account indexes first (see member-history.ts: in seq order,
    // PostgreSQL walked every month's seq index instead).
    `WITH mine AS MATERIALIZED (SELECT * FROM ledger_transfer t WHERE ${where})
     SELECT t.id, t."createdAt", t.kind, t.amount, t.phase, t."debitAccountId", t."references", t.explanation,
            r.phase AS resolution, r.amount AS "resolvedAmount", p.name AS partner, s.name AS "pointOfSale", w.name AS reward
       FROM (SELECT * FROM mine ORDER BY seq DESC LIMIT $7 OFFSET $8) t
       LEFT JOIN ledger_transfer r ON r."pendingTransferId" = t.id
       LEFT JOIN partner p ON p.id::text = t."references"->>'partner'
       LEFT JOIN member_event e ON e.id::text = t."references"->>'event' AND e."memberId" = $6
       LEFT JOIN point_of_sale s ON s.id = e."pointOfSaleId"
       LEFT JOIN reward w ON w.code = t."references"->>'reward'
      ORDER BY t.seq DESC`,
    [...parameters, account.memberId, perPage, (page - 1) * perPage],
  );
  const entries = rows.map((r): CareHistoryEntry => {
    const outgoing = r.debitAccountId === account.id;
    const status = historyStatus(r, outgoing);
    const reasons = r.explanation.map((x) => `${x.rule}: ${x.points} (${x.reason})`).join('; ');
    const who = [
      r.references.agent && `asked by ${r.references.agent}`,
      r.references.approvedBy && `approved by ${r.references.approvedBy}`,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      id: r.id,
      at: r.createdAt,
      kind: r.kind,
      points: historyPoints(status, outgoing, Number(status === 'settled' ? r.resolvedAmount : r.amount)),
      status,
      partner: r.partner,
      pointOfSale: r.pointOfSale,
      details: [reasons || plainWords[r.kind]?.[outgoing ? 'out' : 'in'] || (r.reward ?? r.kind), who].filter(Boolean).join(' — '),
    };
  });
  return { entries, total, page, perPage };
}

/** The partners the member's movements happened at, by name: what care filters the history by. */
export async function careHistoryPartners(manager: EntityManager, memberId: string): Promise<{ id: string; name: string }[]> {
  const { account } = await memberWithAccount(manager, memberId);
  return manager.query(
    `SELECT p.id, p.name FROM partner p
      WHERE EXISTS (SELECT 1 FROM ledger_transfer t WHERE (t."debitAccountId" = $1 OR t."creditAccountId" = $1)
                       AND t."references"->>'partner' = p.id::text)
      ORDER BY p.name`,
    [account.id],
  );
}
