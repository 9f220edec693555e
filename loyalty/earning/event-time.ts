import { EventRefusedError } from './event-refused.js';

/** How far ahead of Tessera's clock a partner's clock may run. */
export const clockSkewMs = 5 * 60_000;

/**
 * A partner says when an event happened, within bounds: not in the future (beyond a little clock
 * skew), not longer ago than the program accepts. Caps, boosters, tiers and expiry all count from
 * this date, so an unbounded one would let a partner rewrite time.
 */
export function checkOccurredAt(occurredAt: Date, receivedAt: Date, backdateDays: number): void {
  if (Number.isNaN(occurredAt.getTime())) throw new EventRefusedError('occurredAt', 'must be a date and time (RFC 3339)');
  if (occurredAt.getTime() > receivedAt.getTime() + clockSkewMs) {
    throw new EventRefusedError(
      'occurredAt',
      `is in the future: at most ${clockSkewMs / 60_000} minutes after ${receivedAt.toISOString()}`,
    );
  }
  const earliest = new Date(receivedAt.getTime() - backdateDays * 86_400_000);
  if (occurredAt < earliest) {
    throw new EventRefusedError(
      'occurredAt',
      `is more than ${backdateDays} days ago: the program takes events from ${earliest.toISOString()} on`,
    );
  }
}
