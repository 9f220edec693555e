import type { Request, RequestHandler } from 'express';

/**
 * Refuses what another site makes a signed-in staff member's browser ask of the back office. AdminJS
 * runs its one-click actions (reverse a transfer, approve an adjustment) as GETs of its API, and a
 * session cookie is sent with a link followed from anywhere; on the same host under another port it
 * is even sent with an image. So the API, and every write, answer only requests the browser says
 * come from the back office's own pages (`Sec-Fetch-Site`, or `Origin` in browsers without it).
 * Pages may still be opened from a link (an email, a bookmark): opening one changes nothing.
 */
export const refuseCrossSiteRequests: RequestHandler = (req, res, next) => {
  if (!changesOrReads(req) || fromOwnPages(req)) return next();
  res.status(403).type('application/problem+json').json({
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
    detail: 'The back office answers this only from its own pages: open the back office and do it there',
  });
};

/** The API (where AdminJS' actions run, GET or POST) and every write. */
function changesOrReads(req: Request): boolean {
  return req.path.toLowerCase().startsWith('/api/') || !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
}

function fromOwnPages(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  // `none`: typed into the address bar or opened from a bookmark, by the staff member themselves.
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin') ?? refererOrigin(req.get('referer'));
  // Neither header: not a browser acting for a signed-in person (a script with its own credentials).
  if (origin === undefined) return true;
  return origin === `${req.protocol}://${req.get('host')}`;
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}
