import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a tracked address stands for: a campaign's message to a member, and which of its links (0: the open pixel). */
export interface TrackingClaims {
  campaignId: string;
  memberId: string;
  link: number;
}

/** The pixel's link number; the campaign's links are numbered from 1 in the order they appear. */
export const openPixel = 0;
const macBytes = 16;
const claimBytes = 33;

// The installation's secret is shared with unsubscribe links: a prefix keeps one kind of token from passing for the other.
const mac = (key: string, body: Buffer) =>
  createHmac('sha256', key).update('message-campaign-tracking:').update(body).digest().subarray(0, macBytes);
const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const uuidOf = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** campaign (16 bytes), member (16), link (1) and 128 bits of their HMAC, in base64url: unguessable, never expiring. */
export function trackingToken(key: string, claims: TrackingClaims): string {
  const body = Buffer.concat([uuidBytes(claims.campaignId), uuidBytes(claims.memberId), Buffer.from([claims.link])]);
  return Buffer.concat([body, mac(key, body)]).toString('base64url');
}

/** The claims of a token made with `key`; null for anything else (forged, altered, cut). */
export function readTrackingToken(key: string, token: string): TrackingClaims | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== claimBytes + macBytes || bytes.toString('base64url') !== token) return null;
  const body = bytes.subarray(0, claimBytes);
  if (!timingSafeEqual(bytes.subarray(claimBytes), mac(key, body))) return null;
  return { campaignId: uuidOf(body.subarray(0, 16)), memberId: uuidOf(body.subarray(16, 32)), link: body[32]! };
}

/** A link as written in a campaign's body, closing punctuation and all (see linkOf). */
export const linkPattern = /https?:\/\/[^\s<>"']+/g;

/** The link a match of linkPattern stands for: a sentence's closing punctuation is not part of it. */
export const linkOf = (match: string): string => match.replace(/[.,;:!?)]+$/, '');

/** The campaign's own links, in order: the only places a tracked click leads to (at most 255). */
export function campaignLinks(body: string): string[] {
  return [...new Set((body.match(linkPattern) ?? []).map(linkOf))].slice(0, 255);
}
