import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MemberSession } from '../entities/index.js';
import { currentMember } from './member-identity.js';

/** A dashboard session lasts a month; a store widget's a day. */
export const memberSessionLifetimeMs = { dashboard: 30 * 86_400_000, widget: 86_400_000 } as const;

/** Opens a session; the token is returned once and only its hash is kept. */
export async function openMemberSession(
  manager: EntityManager,
  request: { memberId: string; partnerId: string | null },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + memberSessionLifetimeMs[request.partnerId ? 'widget' : 'dashboard']);
  await manager.insert(MemberSession, { ...request, tokenHash: tokenHash(token), expiresAt, revokedAt: null });
  return { token, expiresAt };
}

/** The live session a token opens (its member followed through merges), or null. */
export async function memberSession(
  manager: EntityManager,
  token: string,
  now = new Date(),
): Promise<{ sessionId: string; memberId: string; partnerId: string | null } | null> {
  const [session] = await manager.query(
    `SELECT id, "memberId", "partnerId" FROM member_session WHERE "tokenHash" = $1 AND "revokedAt" IS NULL AND "expiresAt" > $2`,
    [tokenHash(token), now],
  );
  if (!session) return null;
  const member = await currentMember(manager, session.memberId);
  return member ? { sessionId: session.id, memberId: member.id, partnerId: session.partnerId } : null;
}

export async function signOut(manager: EntityManager, token: string): Promise<void> {
  await manager.query(`UPDATE member_session SET "revokedAt" = now() WHERE "tokenHash" = $1 AND "revokedAt" IS NULL`, [tokenHash(token)]);
}

/** Ends every session of the member: the dashboard's and every store widget's. */
export async function signOutEverywhere(manager: EntityManager, memberId: string): Promise<number> {
  const [, revoked] = await manager.query(`UPDATE member_session SET "revokedAt" = now() WHERE "memberId" = $1 AND "revokedAt" IS NULL`, [
    memberId,
  ]);
  return revoked;
}

// Tokens are 256 random bits: a plain hash cannot be reversed, and lookups stay one index probe.
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
