import type { RequestHandler } from 'express';
import { memberPage } from './page-layout.js';

/** What the dashboard answers a request no page of its own would send. */
export const notUnderstoodPage = () =>
  memberPage(
    'Not understood',
    '<h1>This request was not understood</h1><p>It is not what the dashboard’s forms send. Go back, fill the form in again, and send it.</p><p><a href="/member">Your points</a></p>',
  );

const hasNull = (value: unknown): boolean =>
  typeof value === 'string' ? value.includes('\u0000') : typeof value === 'object' && value !== null && Object.values(value).some(hasNull);

/**
 * Refuses a request whose address or form holds a NUL character: no form of the dashboard sends
 * one, and the database refuses it in text, so it would reach the member as a fault (the partner
 * API's schemas refuse it the same way).
 */
export const refuseNullCharacters: RequestHandler = (req, res, next) => {
  // The path as sent: its parameters are decoded only once a route matches.
  if (!req.path.includes('%00') && !hasNull(req.query) && !hasNull(req.body)) return next();
  res.status(400).type('html').send(notUnderstoodPage());
};

/**
 * The status of a form the body parser could not read (too large, a character set it does not
 * know), or null for a fault of the dashboard's own.
 */
export function unreadableFormStatus(error: unknown): number | null {
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string' ? status : null;
}
