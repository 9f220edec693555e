import { createHash } from 'node:crypto';
import type { ReceiptLine } from '../../entities/index.js';
import { maxEventAmountCents } from '../earning/earning-event.js';
import { minorDigits } from '../money.js';

/** The facts read from a receipt's OCR text; null where the text did not say. */
export interface ReceiptReading {
  /** The lines at the top, where receipts print the store: the candidates for matching. */
  header: string[];
  purchasedOn: string | null;
  totalCents: number | null;
  lines: ReceiptLine[];
  /** Whether the lines add up to the total: a read that checks out needs less confidence. */
  linesAddUp: boolean;
}

/** Letters OCR reads for digits inside a number. */
const digitLookalikes: Record<string, string> = {
  O: '0',
  o: '0',
  D: '0',
  Q: '0',
  l: '1',
  I: '1',
  i: '1',
  '|': '1',
  S: '5',
  s: '5',
  B: '8',
  Z: '2',
};
const asDigits = (token: string) => token.replace(/[OoDQlIi|SsBZ]/g, (c) => digitLookalikes[c] ?? c);

/** An amount at the end of a line: "3.49", "14,63", "1 234.50" as tills print them. */
const amountAtEnd = /(\d[\dOoIl|SB]*)\s?[.,]\s?([\dOoIl|SB]{2})\s*[€$£]?\s*[^\w\s]{0,3}\s*$/;
const totalWords = /^\s*[^\w]*\s*(total|tota1|t0tal|totai|tot\b|amount due|to pay|montant)/i;
const notItems = /^\s*[^\w]*\s*(total|tota1|t0tal|totai|subtotal|sub-total|card|cash|change|visa|tax|vat|tva|paid|balance)/i;

/**
 * The amount at the end of a line in the currency's minor unit, as the store's API sends purchases:
 * "1200.00" is 1200 for yen, 120000 for euros. Tills print two decimals; a yen amount with cents is
 * a misread.
 */
function amountIn(line: string, digits: number): number | null {
  const match = amountAtEnd.exec(line);
  if (!match) return null;
  const [units, hundredths] = [asDigits(match[1]!), asDigits(match[2]!)];
  if (!/^\d+$/.test(units) || !/^\d{2}$/.test(hundredths)) return null;
  const fraction = digits >= 2 ? Number(hundredths) * 10 ** (digits - 2) : Number(hundredths) / 10 ** (2 - digits);
  if (!Number.isInteger(fraction)) return null;
  // More than a purchase may be is a misread, never paid on: the receipt goes to care as unreadable.
  const amount = Number(units) * 10 ** digits + fraction;
  return amount <= maxEventAmountCents ? amount : null;
}

/** Whether the day exists in the calendar (not 30 February). */
export const validDay = (year: number, month: number, day: number) => {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};
const isoDay = (year: number, month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** The first date printed: day/month/year (Europe's order) or year-month-day. */
function dateIn(text: string): string | null {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\b[\dOoIl|SB]{1,4}\b/g, asDigits);
    const iso = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(line);
    if (iso && validDay(Number(iso[1]), Number(iso[2]), Number(iso[3]))) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    const european = /\b(\d{1,2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{4}|\d{2})\b/.exec(line);
    if (european) {
      const year = european[3]!.length === 2 ? 2000 + Number(european[3]) : Number(european[3]);
      const [day, month] = [Number(european[1]), Number(european[2])];
      if (validDay(year, month, day)) return isoDay(year, month, day);
    }
  }
  return null;
}

/**
 * Reads store candidates, date, total and item lines from a receipt's OCR text, amounts in the minor
 * unit of `currency` (the program's).
 */
export function readReceiptText(text: string, currency: string): ReceiptReading {
  const digits = minorDigits(currency);
  const amountOf = (line: string) => amountIn(line, digits);
  const rows = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /[A-Za-z]{2}/.test(line) || /\d/.test(line));
  const header = rows.filter((line) => /[A-Za-z]{3}/.test(line)).slice(0, 3);
  const totalRow = rows.find((line) => totalWords.test(line) && amountOf(line) !== null);
  const lines: ReceiptLine[] = [];
  for (const row of rows) {
    if (row === totalRow || notItems.test(row)) continue;
    const cents = amountOf(row);
    const label = row
      .replace(amountAtEnd, '')
      .replace(/[^\w\s'&-]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (cents !== null && /[A-Za-z]{2}/.test(label) && !/date|time/i.test(label)) lines.push({ label, cents });
  }
  const linesTotal = lines.reduce((sum, line) => sum + line.cents, 0);
  // Without a readable TOTAL line, the payment line (CARD, CASH) repeats it.
  const paymentRow = rows.find((line) => /^\W*(card|cash|visa|paid)/i.test(line) && amountOf(line) !== null);
  const printed = totalRow ? amountOf(totalRow) : paymentRow ? amountOf(paymentRow) : null;
  // With neither readable, the lines' sum stands for the total: it does not "add up" then, so a
  // poorly read receipt goes to care rather than paying on a guess.
  const totalCents = printed ?? (lines.length > 0 && linesTotal <= maxEventAmountCents ? linesTotal : null);
  return {
    header,
    purchasedOn: dateIn(text),
    totalCents,
    lines,
    linesAddUp: printed !== null && lines.length > 0 && linesTotal === printed,
  };
}

/** Lower-case letters and digits only: what survives two photos of the same paper. */
export const normalised = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Levenshtein distance over normalised names, for OCR's dropped and swapped letters. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length]!;
}

/** How alike a printed line is to a store's name, 0 to 1: the best window of the line the name's length. */
export function nameSimilarity(line: string, name: string): number {
  const [text, wanted] = [normalised(line), normalised(name)];
  if (wanted.length === 0 || text.length === 0) return 0;
  if (text.includes(wanted)) return 1;
  let best = 0;
  for (let start = 0; start <= Math.max(0, text.length - wanted.length); start++) {
    for (const width of [wanted.length - 1, wanted.length, wanted.length + 1]) {
      const window = text.slice(start, start + width);
      best = Math.max(best, 1 - distance(window, wanted) / Math.max(window.length, wanted.length));
    }
  }
  return best;
}

/** A store a receipt may come from: a point of sale's names, or a partner's name alone. */
export interface StoreCandidate {
  partnerId: string;
  pointOfSaleId: string | null;
  names: string[];
}

/** Below this, a name is another store's, not an OCR slip of this one's. */
export const sameStoreSimilarity = 0.8;

/** The candidate whose name the receipt's header prints best, if any prints it well enough; the name as printed with it. */
export function matchStore(header: string[], candidates: StoreCandidate[]): { candidate: StoreCandidate; printed: string } | null {
  let best: { candidate: StoreCandidate; printed: string; score: number } | null = null;
  for (const candidate of candidates)
    for (const name of candidate.names)
      for (const line of header) {
        const score = nameSimilarity(line, name);
        // A point of sale names the place more precisely than its partner: it wins a tie.
        if (!best || score > best.score || (score === best.score && candidate.pointOfSaleId && !best.candidate.pointOfSaleId))
          best = { candidate, printed: line, score };
      }
  return best && best.score >= sameStoreSimilarity ? { candidate: best.candidate, printed: best.printed } : null;
}

/** The same receipt sent twice hashes alike: normalised text, store, day and total. */
export function receiptFingerprint(text: string, partnerId: string, purchasedOn: string, totalCents: number): string {
  return createHash('sha256')
    .update([normalised(text), partnerId, purchasedOn, String(totalCents)].join('\u0000'))
    .digest('hex');
}
