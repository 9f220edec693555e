import { describe, expect, it } from 'vitest';
import { campaignLinks, readTrackingToken, trackingToken } from './tracking-tokens.js';

const key = 'a'.repeat(64);
const claims = { campaignId: '2b0c4b9e-51a6-4a51-9a55-0b1f8f4c2d10', memberId: '7d4f3f8e-6c1b-4d3c-8d2e-5f9a0b1c2d3e', link: 2 };

describe('tracking tokens', () => {
  it('read back what they were made with', () => {
    expect(readTrackingToken(key, trackingToken(key, claims))).toEqual(claims);
  });

  it('refuse another key, an altered link number and a cut token', () => {
    const token = trackingToken(key, claims);
    expect(readTrackingToken('b'.repeat(64), token)).toBeNull();
    const bytes = Buffer.from(token, 'base64url');
    bytes[32] = 1;
    expect(readTrackingToken(key, bytes.toString('base64url'))).toBeNull();
    expect(readTrackingToken(key, token.slice(0, -2))).toBeNull();
    expect(readTrackingToken(key, `${token}=`)).toBeNull();
  });

  it('find each of a message links once, in order', () => {
    expect(campaignLinks('See https://shop.example/a and http://x.example/b?c=1, again https://shop.example/a')).toEqual([
      'https://shop.example/a',
      'http://x.example/b?c=1',
    ]);
  });
});
