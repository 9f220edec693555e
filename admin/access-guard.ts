import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { mayRun, partnerScope } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';

/** Resource name → entity class name (they are the same in the back office). */
const routePattern = /^\/(?:api\/)?resources\/([^/]+)(?:\/(?:(actions|bulk)\/([^/?]+)|records\/([^/]+)\/([^/?]+)|search\/?.*))?\/?$/;

/**
 * Answers 403 before AdminJS sees a request the signed-in staff member may not make: a resource
 * their role may not read, a change their role may not make, or a record of another partner.
 * AdminJS' own checks hide what is forbidden in the page; this makes the server refuse it.
 */
export function backOfficeAccessGuard(dataSource: DataSource): RequestHandler {
  return async (req, res, next) => {
    const match = routePattern.exec(req.path);
    const user = (req.session as unknown as { adminUser?: StaffSession } | undefined)?.adminUser;
    if (!match || !user) return next();
    const [, resource, , collectionAction, recordId, recordAction] = match as unknown as (string | undefined)[];
    const action = recordAction ?? collectionAction ?? 'list';
    const allowed = mayRun(resource!, action, user.role);
    let own = true;
    if (allowed && recordId && user.role === 'partner_user') {
      const column = partnerScope[resource!];
      if (!column) {
        own = false;
      } else {
        const metadata = dataSource.entityMetadatas.find((m) => m.name === resource);
        const row = metadata
          ? await dataSource.getRepository(metadata.target).findOne({ where: { id: recordId }, withDeleted: true })
          : null;
        own = !!row && (row as Record<string, unknown>)[column] === user.partnerId;
      }
    }
    if (allowed && own) return next();
    res.status(403);
    if (req.path.startsWith('/api/')) {
      res
        .type('application/problem+json')
        .json({ type: 'about:blank', title: 'Forbidden', status: 403, detail: `Your role may not ${action} ${resource}` });
    } else {
      res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>
<body style="font-family:system-ui;margin:3rem"><h1>403 — Forbidden</h1><p>Your account may not open this page.</p><p><a href="/admin">Back to the back office</a></p></body></html>`);
    }
  };
}
