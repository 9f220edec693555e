import { Router } from 'express';

/** Stands at /admin until the AdminJS back office arrives (issue #5). */
export function adminPlaceholderRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera back office</title></head>
<body><h1>Tessera back office</h1><p>The AdminJS back office is being built. The demo logins printed at start will work here.</p></body></html>`);
  });
  return router;
}
