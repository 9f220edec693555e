import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MemberCode, type MemberCodePurpose, type MessageChannel } from '../entities/index.js';
import { Refusal } from './refusal.js';

/** How long a code may be used, and how many tries it allows (the right one included). */
export const memberCodeLifetimeMs = 10 * 60_000;
export const memberCodeTries = 5;

export class MemberCodeRefusedError extends Refusal {
  constructor(reason: string, field: string) {
    super('member_authorization_refused', reason, field);
  }
}

/** Which code a try is for: a store's spending code for a member, or a sign-in code sent to an address. */
export type CodeSubject =
  { purpose: 'spend'; memberId: string; partnerId: string } | { purpose: 'sign_in'; address: string; partnerId: string | null };

export interface IssuedCode {
  id: string;
  /** Six digits, to send; never stored. */
  code: string;
  expiresAt: Date;
}

/** A new code for the subject; it replaces any code sent before (only the latest is tried). */
export async function issueMemberCode(
  manager: EntityManager,
  request: { purpose: MemberCodePurpose; memberId: string | null; partnerId: string | null; channel: MessageChannel; address: string },
  secret: string,
  now = new Date(),
): Promise<IssuedCode> {
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = new Date(now.getTime() + memberCodeLifetimeMs);
  await manager.insert(MemberCode, {
    id,
    ...request,
    codeHash: codeHash(secret, id, code),
    attempts: 0,
    expiresAt,
    usedAt: null,
    createdAt: now,
  });
  return { id, code, expiresAt };
}

/**
 * Counts a try at the subject's latest code, before it is checked and on its own (outside the
 * write it authorizes, which a wrong code rolls back): so parallel guesses all count, and a sixth
 * gets nothing. The code's id when a try was left, else null (none sent, expired, used, or out of
 * tries).
 */
export async function countCodeTry(manager: EntityManager, subject: CodeSubject, now = new Date()): Promise<string | null> {
  const [latest] = await manager.query(
    subject.purpose === 'spend'
      ? `SELECT id FROM member_code WHERE purpose = 'spend' AND "memberId" = $1 AND "partnerId" = $2 ORDER BY "createdAt" DESC LIMIT 1`
      : `SELECT id FROM member_code WHERE purpose = 'sign_in' AND address = $1 AND "partnerId" IS NOT DISTINCT FROM $2
          ORDER BY "createdAt" DESC LIMIT 1`,
    subject.purpose === 'spend' ? [subject.memberId, subject.partnerId] : [subject.address, subject.partnerId],
  );
  if (!latest) return null;
  const [counted] = await manager.query(
    `UPDATE member_code SET attempts = attempts + 1
      WHERE id = $1 AND "usedAt" IS NULL AND "expiresAt" > $2 AND attempts < $3 RETURNING id`,
    [latest.id, now, memberCodeTries],
  );
  return counted?.[0]?.id ?? null;
}

/**
 * Uses the code a counted try was for, in the caller's transaction: right and not used yet, or a
 * refusal naming `field`. Two requests with the same right code: the second finds it used.
 */
export async function useMemberCode(
  manager: EntityManager,
  tried: { codeId: string | null; code: string; field: string },
  secret: string,
): Promise<MemberCode> {
  const refuse = () =>
    new MemberCodeRefusedError(
      `is not a code that can be used: wrong, already used, expired (codes last ${memberCodeLifetimeMs / 60_000} minutes) or tried ${memberCodeTries} times; ask for a new one`,
      tried.field,
    );
  if (tried.codeId === null) throw refuse();
  const row = await manager.createQueryBuilder(MemberCode, 'c').addSelect('c.codeHash').where('c.id = :id', { id: tried.codeId }).getOne();
  if (!row || !sameHash(row.codeHash, codeHash(secret, row.id, tried.code))) throw refuse();
  const used = await manager.query(`UPDATE member_code SET "usedAt" = now() WHERE id = $1 AND "usedAt" IS NULL RETURNING id`, [row.id]);
  if (used[1] === 0) throw refuse();
  return row;
}

function codeHash(secret: string, id: string, code: string): string {
  return createHmac('sha256', secret).update(`${id}:${code}`).digest('hex');
}

function sameHash(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(computed, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
