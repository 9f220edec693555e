import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { messageChannels } from '../entities/index.js';
import { messageKinds } from './member-preferences.js';
import { readUnsubscribeToken, unsubscribeToken } from './unsubscribe-tokens.js';

const key = 'an-installation-key-of-at-least-32-characters';
const claims = { memberId: randomUUID(), kind: 'birthday' as const, channel: 'sms' as const };

it('reads back what it signed, for every kind and channel, from a token short enough for a text message', () => {
  for (const kind of messageKinds) {
    for (const channel of messageChannels) {
      const token = unsubscribeToken(key, { ...claims, kind, channel });
      expect(token).toMatch(/^[A-Za-z0-9_-]{40,50}$/);
      expect(readUnsubscribeToken(key, token)).toEqual({ ...claims, kind, channel });
    }
  }
});

it('reads nothing from a token signed with another key, altered, cut, lengthened or made up', () => {
  const token = unsubscribeToken(key, claims);
  expect(readUnsubscribeToken('another-installation-key-of-32-characters', token)).toBeNull();
  const bytes = Buffer.from(token, 'base64url');
  for (let i = 0; i < bytes.length; i++) {
    const altered = Buffer.from(bytes);
    altered[i] = altered[i]! ^ 0x01;
    expect(readUnsubscribeToken(key, altered.toString('base64url')), `byte ${i}`).toBeNull();
  }
  for (const made of [token.slice(0, -1), `${token}A`, '', 'x', '.'.repeat(46), `${token}.${token}`, 'A'.repeat(46)]) {
    expect(readUnsubscribeToken(key, made), made).toBeNull();
  }
});
