import type { Request, RequestHandler, Response } from 'express';

/**
 * Refuses what anything but the back office's own pages makes a signed-in staff member's browser
 * ask of it. AdminJS runs its one-click actions (reverse a transfer, approve an adjustment) as GETs
 * of its API, and the session cookie goes with a link followed from another site or opened from a
 * mail application, and with an image on another port of the same host. So the API, and every
 * write, answer only a request the browser says its own pages made: `Sec-Fetch-Site: same-origin`,
 * or, from a browser that does not send it (older ones, or over http to a non-loopback host), an
 * `Origin` or `Referer` of the back office's own host. Pages may still be opened from a link (an
 * email, a bookmark): opening one changes nothing.
 */
export const refuseCrossSiteRequests: RequestHandler = crossSiteGuard((res) =>
  res.status(403).type('application/problem+json').json({
    type: 'about:blank',
    title: 'Forbidden',
    status: 403,
    detail: 'The back office answers this only from its own pages: open the back office and do it there',
  }),
);

/** The same rule for other pages (the member dashboard), each refusing in its own words. */
export function crossSiteGuard(refuse: (res: Response) => void): RequestHandler {
  return (req, res, next) => {
    if (!changesOrReads(req) || fromOwnPages(req)) return next();
    refuse(res);
  };
}

/** The API (where AdminJS' actions run, GET or POST) and every write. */
function changesOrReads(req: Request): boolean {
  return req.path.toLowerCase().startsWith('/api/') || !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
}

function fromOwnPages(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  // `none` is the address bar, a bookmark, or a link handed over by a mail or chat application.
  if (site !== undefined) return site === 'same-origin';
  // The host alone: the scheme a browser sees may differ from ours behind a TLS-terminating proxy,
  // and one host and port serve one scheme.
  const origin = req.get('origin') ?? req.get('referer');
  return origin !== undefined && hostOf(origin) === req.get('host');
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}
