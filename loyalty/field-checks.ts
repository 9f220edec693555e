/**
 * The checks a form's fields share, each answering what is wrong with a value in words the person
 * who typed it reads, or undefined when nothing is. Values come as forms send them: strings, or
 * absent.
 */

const number = new Intl.NumberFormat('en');

/** Whether a field holds anything but spaces. */
export const given = (value: unknown): boolean =>
  value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');

export const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : given(value) ? String(value) : '');

/** Text a person must give, at most `max` characters. */
export function requiredText(value: unknown, max = 200): string | undefined {
  if (!given(value)) return 'is required';
  if (text(value).length > max) return `must be at most ${number.format(max)} characters`;
  return undefined;
}

/** The largest whole number each kind of column keeps. */
export const limits = { integer: 2_147_483_647, bigint: Number.MAX_SAFE_INTEGER } as const;

/**
 * A whole number from `min` to `max` (a number column); absent or empty is refused unless
 * `optional`. Words for the common ranges: "above 0", "0 or more".
 */
export function wholeNumber(
  value: unknown,
  { min = 0, max = limits.integer, optional = false }: { min?: number; max?: number; optional?: boolean } = {},
): string | undefined {
  if (!given(value)) return optional ? undefined : 'is required';
  const typed = text(value);
  const range =
    max < limits.integer
      ? `from ${number.format(min)} to ${number.format(max)}`
      : min === 0
        ? '0 or more'
        : min === 1
          ? 'above 0'
          : `of ${number.format(min)} or more`;
  const refused = `must be a whole number${/^(from|above)/.test(range) ? ' ' : ', '}${range}`;
  if (!/^[-+]?\d+$/.test(typed)) return refused;
  const parsed = Number(typed);
  if (parsed < min) return refused;
  if (parsed > max) return range.startsWith('from') ? refused : `must be at most ${number.format(max)}`;
  return undefined;
}

/** One of a closed list; `labels` are how a person reads the values. */
export function oneOf<T extends string>(value: unknown, labels: Record<T, string>): string | undefined {
  if (typeof value === 'string' && Object.hasOwn(labels, value)) return undefined;
  const choices = Object.values<string>(labels).join(', ');
  return given(value) ? `must be one of: ${choices}` : `is required: choose one of: ${choices}`;
}

/** The program's own codes (partners, rewards, packages, tiers): they appear in URLs, keys and reports. */
const programCode = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export function codeFormat(value: unknown): string | undefined {
  if (!given(value)) return 'is required';
  if (!programCode.test(text(value))) return 'must be 1 to 40 lowercase letters, digits and dashes, like koffie-corner';
  return undefined;
}

const emailFormat = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const isEmail = (value: string): boolean => emailFormat.test(value) && value.length <= 254;

export function emailAddress(value: unknown, { optional = false } = {}): string | undefined {
  if (!given(value)) return optional ? undefined : 'is required';
  return isEmail(text(value)) ? undefined : 'must be an email address, like name@example.com';
}

/** An address the back office shows or calls: https only, since a page served over https may not load anything else. */
export function httpsAddress(value: unknown, { optional = false } = {}): string | undefined {
  if (!given(value)) return optional ? undefined : 'is required';
  let url: URL;
  try {
    url = new URL(text(value));
  } catch {
    return 'must be a full web address, like https://cdn.example.com/picture.png';
  }
  if (url.protocol !== 'https:') return 'must start with https://';
  if (text(value).length > 2_000) return 'must be at most 2,000 characters';
  return undefined;
}
