/** Amounts of money as people type and read them, kept in the currency's minor unit (cents). */

/** The ISO 4217 currencies a price may be in. */
export const currencies: readonly string[] = Intl.supportedValuesOf('currency');

export const isCurrency = (value: unknown): value is string => typeof value === 'string' && currencies.includes(value);

/** How many decimals the currency has (2 for EUR, 0 for JPY); 2 for a code that is no currency, so nothing stored fails to read. */
export function minorDigits(currency: string): number {
  if (!isCurrency(currency)) return 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units in the currency's units: 1200 is ¥1,200 and €12.00. */
export const inUnits = (minor: number, currency: string): number => minor / 10 ** minorDigits(currency);

/**
 * A price typed in the currency's units ("1400", "49.90", "1,400.00") as minor units, or what is
 * wrong with it. Above 0: nothing the program sells is free.
 */
export function parsePrice(typed: unknown, currency: string): { minor: number } | { problem: string } {
  const text = typeof typed === 'string' ? typed.trim().replace(/,(?=\d{3}(\D|$))/g, '') : '';
  if (text === '') return { problem: 'is required' };
  const digits = minorDigits(currency);
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return { problem: `must be an amount, like ${digits > 0 ? `49.${'0'.repeat(digits)}` : '4900'}` };
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > digits) {
    return { problem: digits === 0 ? `must be a whole amount: ${currency} has no decimals` : `must have at most ${digits} decimals` };
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  if (sign === '-' || minor === 0) return { problem: 'must be an amount above 0' };
  if (!Number.isSafeInteger(minor) || minor > 2_147_483_647) return { problem: 'is too large' };
  return { minor };
}

/** Minor units as people read them: `€40.00`, `$1,250.50`, `¥300`. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(inUnits(minor, currency));
}

/** Minor units as the form shows them back ("1400.00"), for an edit. */
export function typedPrice(minor: number, currency: string): string {
  return inUnits(minor, currency).toFixed(minorDigits(currency));
}
