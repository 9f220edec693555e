/** What replaces text that named an erased person when nothing more telling can. */
export const erasedText = '[erased]';

/**
 * The strings that name one person, and how each goes when they are erased. `replacements` maps a
 * whole value (lower case) to what replaces it: their pseudonym for their references and stores'
 * ids for them, `[erased]` for addresses and names. `anywhere` are found inside any text (their
 * addresses: no one else's text holds them); `theirs` only inside records about them, since a name
 * or a store's id may be part of someone else's words.
 */
export interface PersonalData {
  replacements: Map<string, string>;
  anywhere: string[];
  theirs: string[];
}

const notAfter = String.raw`(?<![\p{L}\p{N}._%+\-])`;
const notBefore = String.raw`(?![\p{L}\p{N}]|[._%+\-@][\p{L}\p{N}])`;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Shorter names and ids are replaced as whole values only: "Al" must not eat into "Alice". */
const shortestFragment = 4;

/**
 * `value` (text, or a JSON document) with what names the person replaced; the very same value when
 * nothing did, so callers can tell whether to write it back. `scope` says whose record it is: in
 * anyone's, only their addresses are looked for.
 */
export function redacted<T>(value: T, person: PersonalData, scope: 'theirs' | 'anyone'): T {
  const fragments = [...person.anywhere, ...(scope === 'theirs' ? person.theirs : [])]
    .filter((fragment) => fragment.length >= shortestFragment)
    .sort((a, b) => b.length - a.length);
  // Whole words and whole addresses only: "4711" is not in "47110", nor "ann@x.test" in "joann@x.test".
  const pattern = fragments.length > 0 ? new RegExp(`${notAfter}(?:${fragments.map(escapeRegExp).join('|')})${notBefore}`, 'giu') : null;
  const everywhere = new Set(person.anywhere.map((a) => a.toLowerCase()));
  const text = (s: string): string => {
    const whole = scope === 'theirs' || everywhere.has(s.toLowerCase()) ? person.replacements.get(s.toLowerCase()) : undefined;
    if (whole !== undefined) return whole;
    // An id of Tessera's own (a lot, a partner, an event) never names anyone, and the ledger is joined by them.
    if (uuid.test(s)) return s;
    return pattern ? s.replace(pattern, (found) => person.replacements.get(found.toLowerCase()) ?? erasedText) : s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) {
      const items = v.map(walk);
      return items.some((item, i) => item !== v[i]) ? items : v;
    }
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      const entries = Object.entries(v).map(([key, item]) => [key, walk(item)] as const);
      return entries.some(([key, item]) => item !== (v as Record<string, unknown>)[key]) ? Object.fromEntries(entries) : v;
    }
    return v;
  };
  return walk(value) as T;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
