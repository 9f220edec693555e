import express, { type Express, type Router } from 'express';
import { apiDocsRouter } from '../api/docs-router.js';
import { healthRouter, type HealthCheck } from '../api/health.js';
import { problemErrorHandler } from '../api/problem.js';
import { supplierCallbackRouter, type SupplierCallbackDependencies } from '../api/supplier-router.js';
import { apiV1Router, type ApiDependencies } from '../api/v1-router.js';
import { widgetRouter } from '../api/widget-router.js';
import { campaignTrackingRouter } from '../portal/campaign-tracking-router.js';
import { unsubscribeRouter } from '../portal/unsubscribe-router.js';
import { demoStoreRouter } from './demo-store-page.js';
import { inboxRouter, type InboxFolders } from './inbox-page.js';
import { logger } from './logger.js';

export interface WebAppOptions {
  health: Record<string, HealthCheck>;
  api: ApiDependencies;
  /** Set when mail or texts go to a local sink: serves their inbox at /inbox. */
  inbox?: InboxFolders;
  /** Serve /demo-store, a shop page with the earn widget (npm start). */
  demoStore?: boolean;
  /** The AdminJS back office, mounted at /admin. */
  backOffice?: Router;
  /** The member dashboard, mounted at /member. */
  portal?: Router;
  /** With an HTTP supplier (REWARD_SUPPLIER=http): its signed shipment reports, at /api/supplier/v1. */
  supplierCallback?: Omit<SupplierCallbackDependencies, 'logFault'>;
  /**
   * The proxies in front (Express's `trust proxy`: hops, or addresses and subnets): behind them, the
   * client's address and scheme come from X-Forwarded-For and -Proto, for per-network limits and
   * Secure cookies. Absent: the peer is the client, and what it says it forwards is ignored.
   */
  trustProxy?: number | string;
}

/** The HTTP surface: health, the partner API, the member dashboard and unsubscribe links, the back office, and the dev inbox. */
export function createWebApp({
  health,
  api,
  inbox,
  demoStore = false,
  backOffice,
  portal,
  supplierCallback,
  trustProxy,
}: WebAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  if (trustProxy !== undefined) app.set('trust proxy', trustProxy);
  app.use(healthRouter(health));
  app.use(
    '/api/v1',
    express.json({ limit: '100kb' }),
    apiV1Router({ logFault: (error, path) => logger.error({ err: error, path }, 'after the response'), ...api }),
  );
  if (supplierCallback) {
    app.use(
      '/api/supplier/v1',
      supplierCallbackRouter({ logFault: (error, path) => logger.error({ err: error, path }, 'supplier callback'), ...supplierCallback }),
    );
  }
  app.use('/api', apiDocsRouter());
  app.use(widgetRouter({ dataSource: api.dataSource, ledger: api.ledger, memberCodes: api.memberCodes }));
  // At the root: the links in members' messages are <public URL>/unsubscribe?t=…
  app.use(unsubscribeRouter({ dataSource: api.dataSource, logFault: (error, path) => logger.error({ err: error, path }, 'unsubscribe') }));
  // At the root too: a campaign email's tracked links and pixel are <public URL>/m/c/… and /m/o/…
  app.use(
    campaignTrackingRouter({ dataSource: api.dataSource, logFault: (error, path) => logger.error({ err: error, path }, 'tracking') }),
  );
  if (demoStore) app.use(demoStoreRouter({ dataSource: api.dataSource, ledger: api.ledger, processes: api.processes }));
  // Before any body parser: AdminJS reads its own form bodies.
  if (backOffice) app.use('/admin', backOffice);
  if (portal) app.use('/member', portal);
  if (inbox?.mail || inbox?.sms) app.use(inboxRouter(inbox));
  app.get('/', (_req, res) => res.redirect('/admin'));
  app.use(problemErrorHandler((error, path) => logger.error({ err: error, path }, 'request failed')));
  return app;
}
