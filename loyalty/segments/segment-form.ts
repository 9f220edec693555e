import type { SegmentConditions } from '../../entities/index.js';
import { given, text } from '../field-checks.js';
import { parsePrice } from '../money.js';

/** Spend is kept in the minor unit of the currency events are recorded in. */
export const spendCurrency = 'EUR';

/** A segment as its form sends it: strings (lists as arrays), every condition optional. */
export interface SegmentForm {
  name?: unknown;
  description?: unknown;
  tierCodes?: unknown;
  balanceMin?: unknown;
  balanceMax?: unknown;
  /** `active` (within `activityDays`), `inactive` (for `activityDays`), or empty. */
  activity?: unknown;
  activityDays?: unknown;
  visitedPartnerIds?: unknown;
  spendMin?: unknown;
  spendMax?: unknown;
  spendDays?: unknown;
  birthdayMonth?: unknown;
  emailOptIn?: unknown;
  smsOptIn?: unknown;
}

/** What the program keeps of a segment's form. */
export interface SegmentDraft {
  name: string;
  description: string;
  conditions: SegmentConditions;
}

const nul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : given(value) ? [value] : []);
const ticked = (value: unknown) => value === true || value === 'true' || value === 'on' || value === 'yes';

/**
 * Reads a segment's form into a draft, and the problems of what could not be read (a number that
 * is not one, a month that is no month, an amount of money that is none), by the form's field.
 * What needs the program's records (tiers and partners that exist) is checked on saving.
 */
export function readSegmentForm(sent: SegmentForm): { draft: SegmentDraft; problems: Record<string, string> } {
  const form: SegmentForm = sent !== null && typeof sent === 'object' && !Array.isArray(sent) ? sent : {};
  const problems: Record<string, string> = {};
  const whole = (field: keyof SegmentForm, min: number, max: number, words: string): number | null => {
    if (!given(form[field])) return null;
    const typed = text(form[field]);
    const value = /^\d+$/.test(typed) ? Number(typed) : Number.NaN;
    if (!(value >= min && value <= max)) {
      problems[field] = words;
      return null;
    }
    return value;
  };
  const money = (field: 'spendMin' | 'spendMax'): number | null => {
    if (!given(form[field])) return null;
    const typed = text(form[field]);
    // Nothing spent is a lower bound like any other.
    if (/^0+([.,]0*)?$/.test(typed)) return 0;
    const parsed = parsePrice(typed, spendCurrency);
    if ('problem' in parsed) {
      problems[field] = 'an amount in euros, like 49.90';
      return null;
    }
    return parsed.minor;
  };

  for (const [field, value] of Object.entries(form))
    if (nul(value) || (Array.isArray(value) && value.some(nul))) problems[field] = 'remove the invisible characters';
  const name = text(form.name);
  if (!problems.name && (name.length === 0 || name.length > 100)) problems.name = 'give the segment a name of 1 to 100 characters';
  const description = text(form.description);
  if (!problems.description && description.length > 500) problems.description = 'at most 500 characters';

  const strings = (field: 'tierCodes' | 'visitedPartnerIds') => {
    const values = list(form[field]);
    if (!values.every((v) => typeof v === 'string')) problems[field] ??= 'choose from the list';
    return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.trim() !== ''))];
  };
  const tierCodes = strings('tierCodes');
  const visitedPartnerIds = strings('visitedPartnerIds');

  const balanceMin = whole('balanceMin', 0, Number.MAX_SAFE_INTEGER, 'a whole number of points, 0 or more');
  const balanceMax = whole('balanceMax', 0, Number.MAX_SAFE_INTEGER, 'a whole number of points, 0 or more');
  if (balanceMin !== null && balanceMax !== null && balanceMin > balanceMax) problems.balanceMax = 'must be at least the minimum';

  const activity = text(form.activity);
  const activityDays = whole('activityDays', 1, 3_650, 'a whole number of days from 1 to 3650');
  if (!['', 'active', 'inactive'].includes(activity)) problems.activity = 'choose from the list';
  else if (activity !== '' && activityDays === null) problems.activityDays ??= 'say how many days';

  const spendMinCents = money('spendMin');
  const spendMaxCents = money('spendMax');
  const spendDays = whole('spendDays', 1, 3_650, 'a whole number of days from 1 to 3650');
  if (spendMinCents !== null && spendMaxCents !== null && spendMinCents > spendMaxCents) problems.spendMax = 'must be at least the minimum';
  if ((spendMinCents !== null || spendMaxCents !== null) && spendDays === null) problems.spendDays ??= 'say over how many days';

  const birthdayMonth = whole('birthdayMonth', 1, 12, 'a month from the list (1 to 12)');

  const conditions: SegmentConditions = {
    tierCodes: tierCodes.length > 0 ? tierCodes : null,
    balanceMin,
    balanceMax,
    activeWithinDays: activity === 'active' ? activityDays : null,
    inactiveForDays: activity === 'inactive' ? activityDays : null,
    visitedPartnerIds: visitedPartnerIds.length > 0 ? visitedPartnerIds : null,
    spendMinCents,
    spendMaxCents,
    spendDays: spendMinCents !== null || spendMaxCents !== null ? spendDays : null,
    birthdayMonth,
    emailOptIn: ticked(form.emailOptIn) || null,
    smsOptIn: ticked(form.smsOptIn) || null,
  };
  return { draft: { name, description, conditions }, problems };
}

/** A saved segment's conditions back in its form's words, for editing. */
export function segmentFormOf(draft: SegmentDraft): Record<string, string | string[] | boolean> {
  const c = draft.conditions;
  const euros = (cents: number | null | undefined) => (cents === null || cents === undefined ? '' : (cents / 100).toFixed(2));
  const typed = (value: number | null | undefined) => (value === null || value === undefined ? '' : String(value));
  return {
    name: draft.name,
    description: draft.description,
    tierCodes: c.tierCodes ?? [],
    balanceMin: typed(c.balanceMin),
    balanceMax: typed(c.balanceMax),
    activity: c.activeWithinDays ? 'active' : c.inactiveForDays ? 'inactive' : '',
    activityDays: typed(c.activeWithinDays ?? c.inactiveForDays),
    visitedPartnerIds: c.visitedPartnerIds ?? [],
    spendMin: euros(c.spendMinCents),
    spendMax: euros(c.spendMaxCents),
    spendDays: typed(c.spendDays),
    birthdayMonth: typed(c.birthdayMonth),
    emailOptIn: c.emailOptIn === true,
    smsOptIn: c.smsOptIn === true,
  };
}
