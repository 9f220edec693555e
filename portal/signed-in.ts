import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { memberSession } from '../loyalty/member-sessions.js';
import { clearMemberCookie, memberCookieOf } from './member-session-cookie.js';

interface MemberLocals {
  memberId: string;
}

/** The signed-in member a page is for (set by `signedIn`). */
export const memberOf = (res: Response): string => (res.locals as MemberLocals).memberId;

/**
 * Lets through only a member signed in on the dashboard (a store widget's session opens no
 * dashboard); anyone else goes to the sign-in page.
 */
export function signedIn(dataSource: DataSource): RequestHandler {
  return async (req, res, next) => {
    try {
      const token = memberCookieOf(req);
      const session = token ? await memberSession(dataSource.manager, token) : null;
      if (!session || session.partnerId !== null) {
        clearMemberCookie(res);
        return res.redirect(303, '/member/sign-in');
      }
      (res.locals as MemberLocals).memberId = session.memberId;
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** A page handler whose faults reach the portal's error page (plain words, never a stack). */
export function answer(handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}
