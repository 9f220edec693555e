import type { RequestHandler } from 'express';
import { memberPage } from './page-layout.js';

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
  res
    .status(400)
    .type('html')
    .send(
      memberPage(
        'Not understood',
        '<h1>This request was not understood</h1><p>It holds a character no form sends. Go back, type it again, and send it.</p><p><a href="/member">Your points</a></p>',
      ),
    );
};
