/**
 * The cursor of a member's history: the ledger sequence number of the last entry a page showed,
 * base64url-encoded so that clients treat it as opaque.
 */

const largestSeq = 2n ** 63n - 1n;

export function encodeHistoryCursor(seq: bigint | number | string): string {
  return Buffer.from(String(seq)).toString('base64url');
}

/** The sequence number a cursor stands for; null for anything this module did not encode. */
export function decodeHistoryCursor(cursor: string): bigint | null {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return null;
  const digits = Buffer.from(cursor, 'base64url').toString('latin1');
  if (!/^[1-9][0-9]{0,18}$/.test(digits) || encodeHistoryCursor(digits) !== cursor) return null;
  const seq = BigInt(digits);
  return seq <= largestSeq ? seq : null;
}
