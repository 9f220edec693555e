import { expect, it } from 'vitest';
import { hasValidSignature, signBody } from './signatures.js';

const secret = 'a-supplier-secret-of-at-least-32-characters';
const body = '{"reference":"r-1","status":"shipped"}';
const now = new Date('2026-11-29T12:00:00Z');
const at = now.getTime() / 1000;

it('accepts a body signed with the secret within five minutes, either way', () => {
  expect(hasValidSignature(secret, body, signBody(secret, body, at), now)).toBe(true);
  expect(hasValidSignature(secret, body, signBody(secret, body, at - 299), now)).toBe(true);
  expect(hasValidSignature(secret, body, signBody(secret, body, at + 60), now)).toBe(true);
});

it('refuses another secret, another body, a stale or future time, and headers that are not signatures', () => {
  expect(hasValidSignature(secret, body, signBody('another-secret-of-at-least-32-characters', body, at), now)).toBe(false);
  expect(hasValidSignature(secret, `${body} `, signBody(secret, body, at), now)).toBe(false);
  expect(hasValidSignature(secret, body, signBody(secret, body, at - 301), now)).toBe(false);
  expect(hasValidSignature(secret, body, signBody(secret, body, at + 301), now)).toBe(false);
  for (const header of [undefined, '', 'v1=abc', `t=${at}`, `t=${at},v1=${'0'.repeat(64)}`, `t=x,v1=${'0'.repeat(64)}`]) {
    expect(hasValidSignature(secret, body, header, now), String(header)).toBe(false);
  }
});
