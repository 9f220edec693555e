import { createHash, randomBytes } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import { Partner, StaffInvitation, StaffUser, type StaffRole } from '../entities/index.js';
import { queueProcess } from './outbox.js';
import { noPasswordYet, passwordProblem } from './staff-accounts.js';

/** How long an invitation's link works: long enough for a weekend, short enough that an old email is no key. */
export const invitationValidDays = 7;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Makes a staff account without a usable password and queues the invitation email, in the caller's
 * transaction: the email goes out once it commits (the outbox), so a crash in between loses nothing.
 */
export async function inviteStaffUser(
  manager: EntityManager,
  account: { email: string; name: string; role: StaffRole; partnerId: string | null },
  now = new Date(),
): Promise<{ user: StaffUser; invitation: StaffInvitation }> {
  const user = await manager.save(manager.create(StaffUser, { ...account, email: account.email.trim(), passwordHash: noPasswordYet }));
  return { user, invitation: await queueInvitation(manager, user.id, now) };
}

async function queueInvitation(manager: EntityManager, staffUserId: string, now: Date): Promise<StaffInvitation> {
  const invitation = await manager.save(
    manager.create(StaffInvitation, { staffUserId, expiresAt: new Date(now.getTime() + invitationValidDays * 86_400_000) }),
  );
  await queueProcess(manager, 'staff_invitation', invitation.id, {});
  return invitation;
}

/**
 * Invites an account again (its link expired, went to a mistyped address, or was lost): the
 * links sent before stop working and a new email is queued. Null when the account has a password:
 * there is nothing to invite it to.
 */
export async function reinviteStaffUser(manager: EntityManager, staffUserId: string, now = new Date()): Promise<StaffInvitation | null> {
  const account = await manager.findOne(StaffUser, {
    where: { id: staffUserId },
    select: { id: true, passwordHash: true },
    lock: { mode: 'pessimistic_write' },
  });
  if (!account || account.passwordHash !== noPasswordYet) return null;
  await manager.delete(StaffInvitation, { staffUserId, usedAt: IsNull() });
  return queueInvitation(manager, staffUserId, now);
}

/** What the invitation email needs: whom it goes to, and the token of its link. */
export interface InvitationToSend {
  email: string;
  name: string;
  partnerName: string | null;
  token: string;
  expiresAt: Date;
}

/**
 * Makes the token of an invitation's link as its email goes out, keeping only its hash: no table,
 * not even the outbox, holds a readable link. Sending again (a retry) makes a new token, and the
 * link of the latest email is the one that works. Null when the invitation was used already.
 */
export async function tokenForInvitation(manager: EntityManager, invitationId: string, now = new Date()): Promise<InvitationToSend | null> {
  const invitation = await manager.findOne(StaffInvitation, { where: { id: invitationId }, relations: { staffUser: true } });
  if (!invitation || invitation.usedAt || !invitation.staffUser) return null;
  const token = randomBytes(32).toString('base64url');
  await manager.update(
    StaffInvitation,
    { id: invitation.id },
    { tokenHash: sha256(token), sentAt: now, sentTo: invitation.staffUser.email },
  );
  const partner = invitation.staffUser.partnerId ? await manager.findOneBy(Partner, { id: invitation.staffUser.partnerId }) : null;
  return {
    email: invitation.staffUser.email,
    name: invitation.staffUser.name,
    partnerName: partner?.name ?? null,
    token,
    expiresAt: invitation.expiresAt,
  };
}

/** Why a link no longer sets a password, in words its reader acts on. */
export type InvitationState =
  | { usable: true; invitation: StaffInvitation; user: StaffUser }
  | { usable: false; reason: 'unknown' | 'used' | 'expired'; message: string };

/** Whether a link's token still sets a password (read under a lock when `lock`, to use it once). */
export async function invitationByToken(manager: EntityManager, token: string, now = new Date(), lock = false): Promise<InvitationState> {
  const query = manager
    .createQueryBuilder(StaffInvitation, 'i')
    .where('i.tokenHash = :hash', { hash: sha256(token) })
    .leftJoinAndSelect('i.staffUser', 'u')
    .addSelect('u.passwordHash');
  if (lock) query.setLock('pessimistic_write', undefined, ['i']);
  const invitation = token === '' ? null : await query.getOne();
  if (!invitation || !invitation.staffUser) {
    return {
      usable: false,
      reason: 'unknown',
      message: 'This link does not set a password: it may be incomplete (copy the whole link from the email) or replaced by a newer email.',
    };
  }
  // A password set otherwise (by the operator) ends the invitation as its use would.
  if (invitation.usedAt || invitation.staffUser.passwordHash !== noPasswordYet) {
    return {
      usable: false,
      reason: 'used',
      message: 'This link has already been used to set a password: sign in with that password, or ask the operator for a new invitation.',
    };
  }
  // The account's email was corrected since: whoever got the link at the old address is not its owner.
  if (invitation.sentTo?.toLowerCase() !== invitation.staffUser.email.toLowerCase()) {
    return {
      usable: false,
      reason: 'unknown',
      message: 'This link was sent to an address the account no longer has: ask the operator for a new invitation.',
    };
  }
  if (invitation.expiresAt <= now) {
    return {
      usable: false,
      reason: 'expired',
      message: `This link expired on ${invitation.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC: ask the operator for a new invitation.`,
    };
  }
  return { usable: true, invitation, user: invitation.staffUser };
}

/**
 * Sets the account's password through its invitation link, once: the policy of every staff
 * password applies (`passwordProblem`). The hash is made by the caller (`hash`), who owns hashing.
 */
export async function acceptInvitation(
  manager: EntityManager,
  token: string,
  password: string,
  hash: (password: string) => Promise<string>,
  now = new Date(),
): Promise<{ ok: true; email: string } | { ok: false; field: 'password' | 'link'; message: string }> {
  const state = await invitationByToken(manager, token, now, true);
  if (!state.usable) return { ok: false, field: 'link', message: state.message };
  const problem = passwordProblem(password, state.user);
  if (problem) return { ok: false, field: 'password', message: `The password ${problem}.` };
  await manager.update(StaffUser, { id: state.user.id }, { passwordHash: await hash(password), failedSignIns: 0, lockedUntil: null });
  await manager.update(StaffInvitation, { id: state.invitation.id }, { usedAt: now });
  return { ok: true, email: state.user.email };
}
