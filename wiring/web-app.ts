import express, { type Express } from 'express';
import { adminPlaceholderRouter } from '../admin/placeholder.js';
import { apiDocsRouter } from '../api/docs-router.js';
import { healthRouter, type HealthCheck } from '../api/health.js';
import { problemErrorHandler } from '../api/problem.js';
import { apiV1Router, type ApiDependencies } from '../api/v1-router.js';
import { inboxRouter } from './inbox-page.js';
import { logger } from './logger.js';

export interface WebAppOptions {
  health: Record<string, HealthCheck>;
  api: ApiDependencies;
  /** Set when mail goes to the local sink: serves its inbox at /inbox. */
  inboxDirectory?: string;
}

/** The HTTP surface: health, the partner API, the back office, and the dev inbox. */
export function createWebApp({ health, api, inboxDirectory }: WebAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(health));
  app.use('/api/v1', express.json({ limit: '100kb' }), apiV1Router(api));
  app.use('/api', apiDocsRouter());
  app.use('/admin', adminPlaceholderRouter());
  if (inboxDirectory) app.use(inboxRouter(inboxDirectory));
  app.get('/', (_req, res) => res.redirect('/admin'));
  app.use(problemErrorHandler((error, path) => logger.error({ err: error, path }, 'request failed')));
  return app;
}
