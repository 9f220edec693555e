import AdminJS, { Router as AdminRoutes, type ActionContext, type BaseRecord } from 'adminjs';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { StaffUser } from '../entities/index.js';
import { mayRun } from './permissions.js';
import { staffSession, type StaffSession } from './staff-sign-in.js';

type RouteAction = (typeof AdminRoutes.routes)[number]['action'];

/** What a route of AdminJS asks for: an action of a resource, on no record, one, or a selection. */
interface Asked {
  resourceId: string;
  action: string;
  kind: 'resource' | 'record' | 'bulk';
  recordIds: string[];
}

function asked(route: RouteAction, req: Request): Asked | 'open' | 'refused' {
  const { resourceId, action, recordId } = req.params as Record<string, string | undefined>;
  switch (route) {
    case 'resource':
      return { resourceId: resourceId!, action: 'list', kind: 'resource', recordIds: [] };
    case 'search':
      return { resourceId: resourceId!, action: 'search', kind: 'resource', recordIds: [] };
    case 'resourceAction':
      return { resourceId: resourceId!, action: action!, kind: 'resource', recordIds: [] };
    case 'recordAction':
      return { resourceId: resourceId!, action: action!, kind: 'record', recordIds: [recordId!] };
    case 'bulkAction': {
      const { recordIds } = req.query;
      if (typeof recordIds !== 'string' || recordIds === '') return 'refused';
      return { resourceId: resourceId!, action: action!, kind: 'bulk', recordIds: [...new Set(recordIds.split(','))] };
    }
    case 'index':
    case 'dashboard':
    case 'page':
    case 'bundleComponents':
      return 'open';
    default:
      return 'refused';
  }
}

/**
 * Who is signed in, as stored now: a role or partner changed since the sign-in applies from the next
 * request on. An account that no longer exists is signed out; one that may no longer use the back
 * office (unknown role, partner user without a partner) gets null.
 */
async function currentStaff(dataSource: DataSource, req: Request): Promise<StaffSession | null | undefined> {
  const session = req.session as unknown as { adminUser?: StaffSession };
  const signedIn = session.adminUser;
  if (!signedIn) return undefined;
  const stored = await dataSource.manager.findOneBy(StaffUser, { id: signedIn.id });
  if (!stored) {
    delete session.adminUser;
    return undefined;
  }
  const current = staffSession(stored);
  if (current) session.adminUser = current;
  return current;
}

async function mayAsk(admin: AdminJS, user: StaffSession, { resourceId, action, kind, recordIds }: Asked): Promise<boolean> {
  const resource = admin.resources.find((r) => r.id() === resourceId);
  const actions = resource?.decorate().actions ?? {};
  const decorated = Object.hasOwn(actions, action) ? actions[action] : undefined;
  const ofKind = { resource: decorated?.isResourceType(), record: decorated?.isRecordType(), bulk: decorated?.isBulkType() }[kind];
  if (!resource || !decorated || !ofKind || !mayRun(resourceId, action, user.role)) return false;
  // The records are read in the staff member's scope: another partner's are not found.
  const context = { currentAdmin: user } as unknown as ActionContext;
  const records: BaseRecord[] = kind === 'record' ? [await resource.findOne(recordIds[0]!, context)].filter((r) => r !== null) : [];
  if (kind === 'bulk') records.push(...(await resource.findMany(recordIds, context)));
  if (records.length !== recordIds.length) return false;
  return kind === 'resource' ? !!decorated.isAccessible(user) : records.every((record) => decorated.isAccessible(user, record));
}

function refuse(req: Request, res: Response, detail: string) {
  res.status(403);
  if (req.path.toLowerCase().startsWith('/api/')) {
    res.type('application/problem+json').json({ type: 'about:blank', title: 'Forbidden', status: 403, detail });
  } else {
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>
<body style="font-family:system-ui;margin:3rem"><h1>403 — Forbidden</h1><p>Your account may not open this page.</p>
<p><a href="/admin">Back to the back office</a> · <a href="/admin/logout">Sign out</a></p></body></html>`);
  }
}

/**
 * Answers 403 before AdminJS sees a request the signed-in staff member may not make: any request of
 * an account that may not use the back office; a resource their role may not read, an action their
 * role may not run or AdminJS would refuse; a record, or a record of a selection, outside what
 * they may see (another partner's). It matches AdminJS' own routes, from AdminJS' route table,
 * so that every path AdminJS answers is guarded the way AdminJS reads it.
 */
export function backOfficeAccessGuard(admin: AdminJS, dataSource: DataSource): Router {
  const router = Router();
  for (const route of AdminRoutes.routes) {
    const guard: RequestHandler = async (req, res, next) => {
      const request = asked(route.action, req);
      if (request === 'refused') return refuse(req, res, 'This request is not one the back office answers');
      const user = await currentStaff(dataSource, req);
      if (user === undefined) return next();
      if (user === null) return refuse(req, res, 'Your account may not use the back office: ask the operator to set its role');
      if (request === 'open' || (await mayAsk(admin, user, request))) return next();
      refuse(req, res, `Your account may not ${request.action} ${request.resourceId}${request.recordIds.length > 0 ? ' records' : ''}`);
    };
    const path = route.path.replace(/{(\w+)}/g, ':$1');
    if (route.method === 'GET') router.get(path, guard);
    else router.post(path, guard);
  }
  return router;
}
