import express, { Router } from 'express';
import swaggerUi from 'swagger-ui-dist';
import { openApiDocument } from './openapi.js';

const initializer = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });
};`;

/** GET /api/openapi.json and an interactive viewer of it at /api/docs. */
export function apiDocsRouter(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => res.json(document));
  router.get('/docs', (req, res, next) => (req.originalUrl.endsWith('/') ? next() : res.redirect('/api/docs/')));
  router.get('/docs/swagger-initializer.js', (_req, res) => res.type('js').send(initializer));
  router.use('/docs', express.static(swaggerUi.getAbsoluteFSPath(), { index: 'index.html' }));
  return router;
}
