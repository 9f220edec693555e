import express, { type Router } from 'express';
import type { DataSource } from 'typeorm';
import { recordTracking } from '../loyalty/messaging/message-campaign-results.js';
import { openPixel, readTrackingToken } from '../loyalty/messaging/tracking-tokens.js';
import { unsubscribeKey } from '../loyalty/unsubscribe-tokens.js';

export interface CampaignTrackingDependencies {
  dataSource: DataSource;
  logFault: (error: unknown, path: string) => void;
}

/** A transparent GIF of one pixel. */
const pixel = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const noStore = { 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex' };

/**
 * The tracked addresses of a campaign's emails: `GET /m/o/<token>` records the open and answers a
 * pixel; `GET /m/c/<token>` records the click and redirects to that one of the campaign's own links.
 * Anything Tessera did not sign, or that leads nowhere the campaign links to, is a plain 404.
 */
export function campaignTrackingRouter({ dataSource, logFault }: CampaignTrackingDependencies): Router {
  const router = express.Router();
  let key: string | undefined;

  router.get('/m/:kind/:token', async (req, res) => {
    try {
      key ??= await unsubscribeKey(dataSource.manager);
      const claims = readTrackingToken(key, req.params.token);
      const isOpen = req.params.kind === 'o';
      if (!claims || !['o', 'c'].includes(req.params.kind) || isOpen !== (claims.link === openPixel))
        return void res.status(404).set(noStore).type('text').send('Not found');
      const recorded = await recordTracking(dataSource.manager, claims, new Date());
      if (!recorded) return void res.status(404).set(noStore).type('text').send('Not found');
      if (recorded.redirectTo) return void res.set(noStore).redirect(302, recorded.redirectTo);
      res.status(200).set(noStore).type('gif').send(pixel);
    } catch (error) {
      logFault(error, req.path);
      res.status(500).set(noStore).type('text').send('Something went wrong');
    }
  });
  return router;
}
