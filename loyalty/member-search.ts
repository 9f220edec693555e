import type { EntityManager } from 'typeorm';
import { normalizeEmail, normalizePhone } from './contact-addresses.js';

/** How a search found a member, strongest first. */
export type MemberMatchedBy =
  | { how: 'email' }
  | { how: 'phone' }
  | { how: 'reference' }
  | { how: 'store_id'; store: string }
  | { how: 'name' }
  | { how: 'part_of_email' };

/** A member as care's search lists them: enough to tell people apart before opening one. */
export interface MemberMatch {
  memberId: string;
  reference: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  matchedBy: MemberMatchedBy;
  /** The stores that know them, and the id each knows them by. */
  stores: { store: string; customerId: string }[];
}

/** Longer than any email, phone, id or name: it names no one. */
const longestText = 320;
/** Text shorter than this is matched whole only: "jo" inside every name finds no one in particular. */
const shortestFragment = 3;
/** A phone number's digits without its country are matched from this many on: fewer name too many people. */
const fewestLocalDigits = 8;

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The E.164 numbers a text may spell (with `00` for `+`, or no `+` at all), and the digits that
 * end the number when it is written the local way (`06 1234 5678`): care types what the member says.
 */
function phoneSpellings(text: string): { numbers: string[]; localDigits: string | null } {
  if (!/^[\d\s+().\-/]+$/.test(text)) return { numbers: [], localDigits: null };
  const digits = text.replace(/\D/g, '');
  const numbers = [text, `+${digits.replace(/^00/, '')}`].map(normalizePhone).filter((n): n is string => n !== null);
  const local = digits.replace(/^0+/, '');
  return { numbers: [...new Set(numbers)], localDigits: !text.trim().startsWith('+') && local.length >= fewestLocalDigits ? local : null };
}

interface MemberName {
  id: string;
  mergedIntoId: string | null;
  externalId: string;
  displayName: string | null;
}

/** Whom each merged member became, by the id they were found by: merges are never undone, so each chain ends. */
async function whomTheyBecame(manager: EntityManager, merged: MemberName[]): Promise<Map<string, MemberName>> {
  if (merged.length === 0) return new Map();
  const ends: (MemberName & { found: string })[] = await manager.query(
    `WITH RECURSIVE chain AS (
        SELECT id AS found, m.id, m."mergedIntoId", m."externalId", m."displayName" FROM member m WHERE m.id = ANY($1::uuid[])
        UNION ALL
        SELECT c.found, m.id, m."mergedIntoId", m."externalId", m."displayName" FROM chain c JOIN member m ON m.id = c."mergedIntoId"
      )
      SELECT * FROM chain WHERE "mergedIntoId" IS NULL`,
    [merged.map((m) => m.id)],
  );
  return new Map(ends.map(({ found, ...member }) => [found, member]));
}

/**
 * Members whose email (in any case), phone (in any spelling), reference or id at a store (in any
 * case) is the text, or whose name or email contains it; a member merged into another is found as
 * whom they became. Strongest match first, then by name.
 */
export async function searchMembers(manager: EntityManager, text: string, limit = 20): Promise<MemberMatch[]> {
  const typed = text.trim();
  // PostgreSQL text cannot hold a NUL: sent, it fails the query; no one's details contain one.
  if (typed.length === 0 || typed.length > longestText || typed.includes('\u0000')) return [];
  const { numbers, localDigits } = phoneSpellings(typed);
  const fragment = typed.length >= shortestFragment && /[\p{L}\p{N}]/u.test(typed) ? `%${likeEscaped(typed)}%` : null;
  // An email containing the text contains what it has before an "@": the index looks for that part
  // alone, since the domain's trigrams are in nearly every address and cost more than they narrow.
  const local = typed.split('@')[0]!;
  const emailHint = fragment && typed.includes('@') && local.length >= shortestFragment ? `%${likeEscaped(local)}%` : fragment;
  type Found = { id: string; rank: number; how: MemberMatchedBy['how']; store: string | null } & MemberName;
  // Each branch reads its members' names and merges itself: joining what it found to the whole
  // member table, PostgreSQL hashed a million members for a few found.
  const found: Found[] = await manager.query(
    `SELECT id, 1 AS rank, 'email' AS how, NULL::text AS store, "mergedIntoId", "externalId", "displayName" FROM member WHERE email = $1
     UNION ALL
     -- Ends with the digits: a prefix of the reversed number, which an index finds.
     SELECT id, 2, 'phone', NULL, "mergedIntoId", "externalId", "displayName" FROM member
      WHERE phone = ANY($2::text[]) OR ($3::text IS NOT NULL AND reverse(phone) LIKE reverse($3) || '%')
     UNION ALL
     SELECT id, 3, 'reference', NULL, "mergedIntoId", "externalId", "displayName" FROM member WHERE lower("externalId") = lower($4)
     UNION ALL
     SELECT m.id, 4, 'store_id', p.name, m."mergedIntoId", m."externalId", m."displayName"
       FROM member_link l JOIN partner p ON p.id = l."partnerId" JOIN member m ON m.id = l."memberId" WHERE lower(l."customerId") = lower($4)
     UNION ALL
     SELECT id, 5, 'name', NULL, "mergedIntoId", "externalId", "displayName" FROM member WHERE $5::text IS NOT NULL AND "displayName" ILIKE $5
     UNION ALL
     -- The whole text is compared on an expression the index does not cover, for the index to take the hint alone.
     SELECT id, 6, 'part_of_email', NULL, "mergedIntoId", "externalId", "displayName" FROM member
      WHERE $5::text IS NOT NULL AND email ILIKE $6 AND (email || '') ILIKE $5`,
    [normalizeEmail(typed), numbers, localDigits, typed, fragment, emailHint],
  );
  const live = await whomTheyBecame(
    manager,
    found.filter((f) => f.mergedIntoId !== null),
  );
  // A member found several ways is shown once, by the strongest; then by name, as ever (ties by id).
  const strongest = new Map<string, Found>();
  for (const row of found) {
    const member = live.get(row.id) ?? row;
    const seen = strongest.get(member.id);
    if (!seen || row.rank < seen.rank) strongest.set(member.id, { ...row, ...member });
  }
  const shown = [...strongest.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .sort((a, b) => a.rank - b.rank || (a.displayName ?? a.externalId).localeCompare(b.displayName ?? b.externalId))
    .slice(0, limit);
  if (shown.length === 0) return [];
  const ids = shown.map((r) => r.id);
  const members: { id: string; externalId: string; displayName: string | null; email: string | null; phone: string | null }[] =
    await manager.query(`SELECT id, "externalId", "displayName", email, phone FROM member WHERE id = ANY($1::uuid[])`, [ids]);
  const links: { memberId: string; store: string; customerId: string }[] = await manager.query(
    `SELECT l."memberId", p.name AS store, l."customerId" FROM member_link l JOIN partner p ON p.id = l."partnerId"
      WHERE l."memberId" = ANY($1::uuid[]) ORDER BY p.name, l."customerId"`,
    [ids],
  );
  const byId = new Map(members.map((m) => [m.id, m]));
  return shown.map((row) => {
    const member = byId.get(row.id)!;
    return {
      memberId: member.id,
      reference: member.externalId,
      name: member.displayName,
      email: member.email,
      phone: member.phone,
      matchedBy: (row.how === 'store_id' ? { how: row.how, store: row.store! } : { how: row.how }) as MemberMatchedBy,
      stores: links.filter((l) => l.memberId === member.id).map(({ store, customerId }) => ({ store, customerId })),
    };
  });
}
