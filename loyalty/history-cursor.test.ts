import { describe, expect, it } from 'vitest';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-cursor.js';

describe('history cursor', () => {
  it('gives back the sequence number it encoded, up to the largest bigint', () => {
    for (const seq of [1n, 123n, 2n ** 53n + 1n, 2n ** 63n - 1n]) expect(decodeHistoryCursor(encodeHistoryCursor(seq))).toBe(seq);
  });

  it('refuses anything it did not encode', () => {
    const encoded = (text: string) => Buffer.from(text).toString('base64url');
    for (const cursor of [
      '',
      'zzz',
      '!!',
      `${encodeHistoryCursor(12)}=`,
      encoded('0'),
      encoded('-5'),
      encoded('12abc'),
      encoded('9223372036854775808'),
    ]) {
      expect(decodeHistoryCursor(cursor), cursor).toBeNull();
    }
  });
});
