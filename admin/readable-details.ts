import type { EntityManager } from 'typeorm';
import { isUuid } from '../loyalty/ids.js';
import { isCurrency, minorDigits } from '../loyalty/money.js';
import { recordNames } from '../loyalty/record-names.js';

type Details = Record<string, unknown>;

/** What the ids under these keys identify, wherever a record's details hold them (audit entries, transfers' references). */
const kindOfKey: Record<string, string> = {
  partner: 'Partner',
  partnerId: 'Partner',
  member: 'Member',
  memberId: 'Member',
  reward: 'Reward',
  rewardId: 'Reward',
  event: 'MemberEvent',
  refundOf: 'MemberEvent',
  redemption: 'Redemption',
  redemptionId: 'Redemption',
  bonus: 'Bonus',
  company: 'Company',
  companyId: 'Company',
  employee: 'CompanyEmployee',
  manager: 'Member',
  lot: 'PointLot',
  funding: 'CompanyFunding',
  adjustment: 'CareAdjustment',
  packageId: 'PointPackage',
  pointOfSaleId: 'PointOfSale',
  staffUserId: 'StaffUser',
  endpointId: 'WebhookEndpoint',
  transferId: 'LedgerTransfer',
  earnTransferId: 'LedgerTransfer',
  reversal: 'LedgerTransfer',
  debitAccountId: 'LedgerAccount',
  creditAccountId: 'LedgerAccount',
};

/** A key as a person reads it: `lowBalanceThreshold` as "low balance threshold", `partnerId` as "partner". */
export const spoken = (key: string) =>
  key
    .replace(/Id$/, '')
    .replace(/(?<=[a-z])(?=[A-Z])/g, ' ')
    .toLowerCase();

/** The names of every id the details hold under a key that says what it identifies. */
async function namesIn(manager: EntityManager, all: Details[]): Promise<Map<string, string>> {
  const wanted = new Map<string, unknown[]>();
  for (const details of all) {
    for (const [key, value] of Object.entries(details)) {
      const kind = kindOfKey[key];
      if (kind && isUuid(value)) wanted.set(kind, [...(wanted.get(kind) ?? []), value]);
    }
  }
  const names = new Map<string, string>();
  for (const [kind, ids] of wanted) {
    for (const [id, { name }] of await recordNames(manager, kind, ids)) names.set(id, name);
  }
  return names;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
const count = new Intl.NumberFormat('en');

/**
 * A value in words: an id as the name of what it identifies (or "another record"), a moment as a
 * date and time in UTC, a number grouped, a code like `awaiting_approval` as words, lists and objects flattened.
 */
function said(value: unknown, names: Map<string, string>): string {
  if (value === null || value === undefined || value === '') return '—';
  if (isUuid(value)) return names.get(value) ?? 'another record';
  if (value instanceof Date) return `${dateTime.format(value)} UTC`;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
    return `${dateTime.format(new Date(value))} UTC`;
  if (typeof value === 'string' && /^[a-z]+(_[a-z]+)+$/.test(value)) return value.replaceAll('_', ' ');
  if (typeof value === 'number') return count.format(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map((item) => said(item, names)).join(', ');
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([key, inner]) => `${spoken(key)} ${said(inner, names)}`)
      .join(', ');
  }
  return String(value);
}

/** Keys whose values are secrets or their hashes: never written to the audit log, whatever an action hands it. */
const secretKey = /password|secret|hash|token/i;

/** Details without their secrets (flattened keys like `secret.0` included). */
export function withoutSecrets<T extends object | null>(details: T): T {
  if (!details) return details;
  return Object.fromEntries(Object.entries(details).filter(([key]) => !secretKey.test(key))) as T;
}

/** Details (a transfer's references, an audit entry's record) as lines of "what: value", ids named. */
export async function detailLines(manager: EntityManager, details: Details | null): Promise<string> {
  if (!details) return '';
  const names = await namesIn(manager, [details]);
  return Object.entries(details)
    .map(([key, value]) => `${spoken(key)}: ${said(value, names)}`)
    .join('\n');
}

/**
 * What an audit entry changed, line by line: the fields that changed (before → after), and for an
 * action other than an edit what else it recorded; ids named, values formatted.
 */
export async function auditChanges(
  manager: EntityManager,
  before: Details | null,
  after: Details | null,
  action = 'edit',
): Promise<string> {
  const names = await namesIn(manager, [before ?? {}, after ?? {}]);
  if (before && after) {
    const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])].filter((key) => key !== 'id');
    // A form sends numbers as text: "7500" after 5000 is a number that changed, "1.25" after 1.25 none.
    const asNumber = (value: unknown, other: unknown) =>
      typeof other === 'number' && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    const changed = (key: string) =>
      JSON.stringify(asNumber(before[key], after[key])) !== JSON.stringify(asNumber(after[key], before[key]));
    const lines = keys
      .filter((key) => changed(key) || (action !== 'edit' && key in after))
      // What changed first, then what the action recorded beside.
      .sort((a, b) => Number(changed(b)) - Number(changed(a)))
      .map((key) =>
        changed(key)
          ? `${spoken(key)}: ${said(asNumber(before[key], after[key]), names)} → ${said(asNumber(after[key], before[key]), names)}`
          : `${spoken(key)}: ${said(after[key], names)}`,
      );
    return lines.length === 0 ? 'nothing changed' : lines.join('\n');
  }
  const shown = after ?? before;
  if (!shown) return '';
  return Object.entries(shown)
    .filter(([key]) => key !== 'id')
    .map(([key, value]) => `${spoken(key)}: ${said(value, names)}`)
    .join('\n');
}

const points = new Intl.NumberFormat('en', { signDisplay: 'always' });

/** Why points moved, one rule a line: "1 point per euro: +42 points (42.50 EUR spent)". */
export function explanationLines(explanation: unknown): string {
  if (!Array.isArray(explanation)) return '';
  return explanation
    .map((line: { rule?: unknown; points?: unknown; reason?: unknown }) => {
      const moved = Number(line.points) ? `: ${points.format(Number(line.points))} points` : '';
      return `${String(line.rule ?? '')}${moved}${line.reason ? ` (${String(line.reason)})` : ''}`;
    })
    .join('\n');
}

/** A purchase's lines: "2 × FLAT-WHITE (coffee) at €4.50". */
export function basketLines(lines: unknown, currency: unknown): string {
  if (!Array.isArray(lines)) return '';
  const price = (minor: number) =>
    isCurrency(currency)
      ? new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency))
      : String(minor);
  return lines
    .map(
      (line: { reference?: unknown; category?: unknown; quantity?: unknown; unitPriceCents?: unknown }) =>
        `${Number(line.quantity)} × ${String(line.reference)}${line.category ? ` (${String(line.category)})` : ''} at ${price(Number(line.unitPriceCents))}`,
    )
    .join('\n');
}

/** Who asked the ledger for a transfer, from its idempotency source: "partner API: Koffie Corner", "system: expiry". */
export async function requester(manager: EntityManager, source: unknown): Promise<string> {
  if (typeof source !== 'string') return '';
  const [who, id] = source.split(/:(.*)/s) as [string, string | undefined];
  const kind = { partner: 'Partner', company: 'Company' }[who];
  if (kind && isUuid(id)) {
    const name = (await recordNames(manager, kind, [id])).get(id)?.name ?? 'another record';
    return who === 'partner' ? `partner API: ${name}` : `${spoken(who)}: ${name}`;
  }
  return id ? `${spoken(who)}: ${id.replace(/-/g, ' ')}` : spoken(who);
}
