import { Router } from 'express';
import { sendProblem } from './problem.js';

/** The partner API, version 1. Its endpoints arrive with the partner API issue (#4). */
export function apiV1Router(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({ name: 'Tessera partner API', version: 'v1' });
  });
  router.use((req, res) => sendProblem(res, { status: 404, title: 'Not Found', detail: `No endpoint ${req.method} ${req.baseUrl}${req.path}` }));
  return router;
}
