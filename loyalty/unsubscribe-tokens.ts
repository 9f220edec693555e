import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ProgramSettings, type MessageChannel } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';
import type { MessageKind } from './member-preferences.js';

/** Who an unsubscribe link is for, and what it stops. */
export interface UnsubscribeClaims {
  memberId: string;
  kind: MessageKind;
  channel: MessageChannel;
}

// Fixed codes, never reused: links already sent keep meaning what they meant.
const kindCodes: Record<MessageKind, number> = { welcome: 1, birthday: 2, expiry: 3, reactivation: 4, marketing: 5 };
const channelCodes: Record<MessageChannel, number> = { email: 1, sms: 2 };
/** 128 bits of HMAC-SHA256: forging one is out of reach, and the link stays short enough for a text message. */
const macBytes = 16;
const claimBytes = 18;

const mac = (key: string, claims: Buffer) => createHmac('sha256', key).update(claims).digest().subarray(0, macBytes);
const codeOf = <T extends string>(codes: Record<T, number>, code: number | undefined) =>
  (Object.keys(codes) as T[]).find((name) => codes[name] === code);

/**
 * A token for a link that stops one kind of message on one channel for one member, without
 * signing in: the member id (16 bytes), the kind and channel (a byte each), and their HMAC with
 * `key`, in base64url (46 characters). It does not expire: a message read years later still stops.
 */
export function unsubscribeToken(key: string, claims: UnsubscribeClaims): string {
  const body = Buffer.concat([
    Buffer.from(claims.memberId.replaceAll('-', ''), 'hex'),
    Buffer.from([kindCodes[claims.kind], channelCodes[claims.channel]]),
  ]);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** The claims of a token made with `key`; null for anything else (forged, altered, cut). */
export function readUnsubscribeToken(key: string, token: string): UnsubscribeClaims | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  // Re-encoding must give the token back: no padding bits or trailing characters to vary.
  if (bytes.length !== claimBytes + macBytes || bytes.toString('base64url') !== token) return null;
  const body = bytes.subarray(0, claimBytes);
  if (!timingSafeEqual(bytes.subarray(claimBytes), mac(key, body))) return null;
  const kind = codeOf(kindCodes, body[16]);
  const channel = codeOf(channelCodes, body[17]);
  if (!kind || !channel) return null;
  const hex = body.subarray(0, 16).toString('hex');
  const memberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { memberId, kind, channel };
}

/** The installation's key for unsubscribe links: random, made by the first caller, the same for the web and the worker. */
export async function unsubscribeKey(manager: EntityManager): Promise<string> {
  await programSettings(manager);
  await manager.query(`UPDATE program_settings SET "unsubscribeSecret" = $1 WHERE id = 1 AND "unsubscribeSecret" IS NULL`, [
    randomBytes(32).toString('hex'),
  ]);
  const row = await manager.createQueryBuilder(ProgramSettings, 's').addSelect('s.unsubscribeSecret').where('s.id = 1').getOneOrFail();
  return row.unsubscribeSecret!;
}
