import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: how Tessera signs what it sends (webhooks
 * to partners, orders to suppliers) and checks what a supplier sends back.
 */
export function signBody(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How old a signed request may be: a replay after this is refused. */
export const signatureToleranceSeconds = 300;

/**
 * Whether `header` signs `body` with `secret`, made within the tolerance of `now` (either way, for
 * clocks a little apart). Compared in constant time.
 */
export function hasValidSignature(secret: string, body: string, header: string | undefined, now: Date): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!/^\d{1,12}$/.test(parts.t ?? '') || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > signatureToleranceSeconds) return false;
  const expected = Buffer.from(signBody(secret, body, timestamp).split('v1=')[1]!, 'hex');
  return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}
