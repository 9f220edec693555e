import type { Request, Response } from 'express';

/** The member's session cookie: the token of a member_session, never readable by scripts. */
export const memberCookie = 'tessera_member';

export function setMemberCookie(req: Request, res: Response, token: string, expiresAt: Date): void {
  res.cookie(memberCookie, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/member',
    expires: expiresAt,
  });
}

export function clearMemberCookie(res: Response): void {
  res.clearCookie(memberCookie, { path: '/member' });
}

export function memberCookieOf(req: Request): string | undefined {
  const value: unknown = req.cookies?.[memberCookie];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
