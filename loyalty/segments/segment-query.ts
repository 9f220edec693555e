import type { EntityManager } from 'typeorm';
import type { SegmentConditions } from '../../entities/index.js';
import { defaultMessagePreferences } from '../member-preferences.js';

/** A segment's conditions as one SQL condition on `member m`, its values all parameters. */
export interface CompiledSegment {
  where: string;
  parameters: unknown[];
}

/** Members a segment can hold: not merged into another, not erased, not a company's account. */
const live = `m."mergedIntoId" IS NULL
  AND NOT EXISTS (SELECT 1 FROM member_erasure x WHERE x."memberId" = m.id)
  AND NOT EXISTS (SELECT 1 FROM company c WHERE c."memberId" = m.id)`;

/**
 * The member's tier (a column of it), placed as the earning engine places it: by qualifying points
 * over the window ending at `$1` (earns and bonuses, less what reversals took back of them).
 */
function tierOf(account: string, column: 'code' | 'name', windowDays: string): string {
  const qualifying = `(SELECT COALESCE(SUM(CASE WHEN t."creditAccountId" = ${account} THEN t.amount ELSE -t.amount END), 0)
      FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
     WHERE t."createdAt" >= $1::timestamptz - make_interval(days => ${windowDays}) AND t."createdAt" <= $1
       AND ((t."creditAccountId" = ${account} AND t.kind IN ('earn', 'bonus'))
         OR (t."debitAccountId" = ${account} AND t.kind = 'reversal' AND o.kind IN ('earn', 'bonus'))))`;
  return `(SELECT tier.${column} FROM tier WHERE tier.threshold <= ${qualifying} ORDER BY tier.threshold DESC LIMIT 1)`;
}

const memberAccount = `(SELECT a.id FROM ledger_account a WHERE a."memberId" = m.id AND a.kind = 'member' AND a.unit = 'points')`;

/**
 * Compiles the conditions, as they stand at `at`, into a condition on `member m`. Only the shape
 * of the SQL comes from here; every value the staff typed is a parameter. `tierWindowDays` is the
 * program's window for qualifying points (tiers are placed as the earning engine places them).
 */
export function compileSegment(conditions: SegmentConditions, at: Date, tierWindowDays: number): CompiledSegment {
  const parameters: unknown[] = [at];
  const value = (v: unknown) => {
    parameters.push(v);
    return `$${parameters.length}`;
  };
  // The moment is $1 whether a condition reads it or not (so its type is always known).
  const parts = [live, '$1::timestamptz IS NOT NULL'];
  const c = conditions;
  const account = memberAccount;

  if (c.tierCodes?.length) parts.push(`${tierOf(account, 'code', value(tierWindowDays))} = ANY(${value(c.tierCodes)}::text[])`);
  if (c.balanceMin != null || c.balanceMax != null) {
    const balance = `(SELECT COALESCE(SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending"), 0)
        FROM ledger_balance b WHERE b."accountId" = ${account})`;
    if (c.balanceMin != null) parts.push(`${balance} >= ${value(c.balanceMin)}::bigint`);
    if (c.balanceMax != null) parts.push(`${balance} <= ${value(c.balanceMax)}::bigint`);
  }
  const eventSince = (days: string) =>
    `EXISTS (SELECT 1 FROM member_event e WHERE e."memberId" = m.id
       AND e."occurredAt" > $1::timestamptz - make_interval(days => ${days}) AND e."occurredAt" <= $1)`;
  if (c.activeWithinDays != null) parts.push(eventSince(value(c.activeWithinDays)));
  if (c.inactiveForDays != null) parts.push(`NOT ${eventSince(value(c.inactiveForDays))}`);
  if (c.visitedPartnerIds?.length) {
    parts.push(`EXISTS (SELECT 1 FROM member_event e WHERE e."memberId" = m.id AND e."occurredAt" <= $1
       AND e."partnerId" = ANY(${value(c.visitedPartnerIds)}::uuid[]))`);
  }
  if ((c.spendMinCents != null || c.spendMaxCents != null) && c.spendDays != null) {
    // What stayed spent: a returned purchase is no spend (as campaign results count it).
    const spend = `(SELECT COALESCE(SUM(COALESCE(e."amountCents", 0) - e."refundedCents"), 0) FROM member_event e WHERE e."memberId" = m.id
        AND e."occurredAt" > $1::timestamptz - make_interval(days => ${value(c.spendDays)}) AND e."occurredAt" <= $1)`;
    if (c.spendMinCents != null) parts.push(`${spend} >= ${value(c.spendMinCents)}::bigint`);
    if (c.spendMaxCents != null) parts.push(`${spend} <= ${value(c.spendMaxCents)}::bigint`);
  }
  if (c.birthdayMonth != null) parts.push(`extract(month FROM m.birthday) = ${value(c.birthdayMonth)}::int`);
  // Offers and news (marketing) on the channel: the member's own choice, else the program's default.
  const optedIn = (channel: 'email' | 'sms', address: string) => {
    const choice = `m."messagePreferences"->'marketing'->'${channel}'`;
    return `${address} IS NOT NULL AND ${address} <> '' AND CASE WHEN jsonb_typeof(${choice}) = 'boolean'
      THEN (${choice})::text::boolean ELSE ${value(defaultMessagePreferences.marketing[channel])}::boolean END`;
  };
  if (c.emailOptIn) parts.push(optedIn('email', 'm.email'));
  if (c.smsOptIn) parts.push(optedIn('sms', 'm.phone'));
  return { where: parts.map((part) => `(${part})`).join(' AND '), parameters };
}

async function tierWindowDays(manager: EntityManager): Promise<number> {
  const [row] = await manager.query(`SELECT "tierWindowDays" FROM program_settings WHERE id = 1`);
  return Number(row?.tierWindowDays ?? 365);
}

/** How many members the segment holds now. */
export async function segmentSize(manager: EntityManager, conditions: SegmentConditions, at = new Date()): Promise<number> {
  const { where, parameters } = compileSegment(conditions, at, await tierWindowDays(manager));
  const [row] = await manager.query(`SELECT count(*)::int AS n FROM member m WHERE ${where}`, parameters);
  return Number(row.n);
}

/** Whether the member is in the segment at `at` (when an event is recorded: live, not a snapshot). */
export async function inSegment(manager: EntityManager, conditions: SegmentConditions, memberId: string, at: Date): Promise<boolean> {
  const { where, parameters } = compileSegment(conditions, at, await tierWindowDays(manager));
  const rows = await manager.query(`SELECT 1 FROM member m WHERE m.id = $${parameters.length + 1} AND ${where}`, [...parameters, memberId]);
  return rows.length > 0;
}

/** The ids of the members the segment held at a moment (a campaign's results measure its audience at its start). */
export async function segmentMemberIds(manager: EntityManager, conditions: SegmentConditions, at: Date): Promise<string[]> {
  const { where, parameters } = compileSegment(conditions, at, await tierWindowDays(manager));
  const rows: { id: string }[] = await manager.query(`SELECT m.id FROM member m WHERE ${where}`, parameters);
  return rows.map((row) => row.id);
}

/** A segment's member, as a program manager's export shows them. */
export interface SegmentMember {
  reference: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  tier: string | null;
  balance: number;
  enrolledAt: Date;
  lastActivityAt: Date | null;
}

/** The members the segment holds now, oldest member first. */
export async function segmentMembers(manager: EntityManager, conditions: SegmentConditions, at = new Date()): Promise<SegmentMember[]> {
  const windowDays = await tierWindowDays(manager);
  const { where, parameters } = compileSegment(conditions, at, windowDays);
  const rows: (SegmentMember & { balance: string })[] = await manager.query(
    `SELECT m."externalId" AS reference, m."displayName" AS name, m.email, m.phone, m."enrolledAt" AS "enrolledAt",
            ${tierOf(memberAccount, 'name', `$${parameters.length + 1}`)} AS tier,
            (SELECT max(e."occurredAt") FROM member_event e WHERE e."memberId" = m.id AND e."occurredAt" <= $1) AS "lastActivityAt",
            (SELECT COALESCE(SUM(b."creditsPosted" - b."debitsPosted" - b."debitsPending"), 0)::bigint
               FROM ledger_balance b WHERE b."accountId" = ${memberAccount}) AS balance
       FROM member m WHERE ${where} ORDER BY m."enrolledAt", m."externalId"`,
    [...parameters, windowDays],
  );
  return rows.map((r) => ({ ...r, balance: Number(r.balance) }));
}
