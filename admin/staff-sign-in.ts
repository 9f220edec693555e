import type { EntityManager } from 'typeorm';
import { StaffUser, type StaffRole } from '../entities/index.js';
import { checkStaffAccount, isStaffRole, staffRoleLabels } from '../loyalty/staff-accounts.js';
import { verifyPassword } from './passwords.js';

export const maxFailedSignIns = 5;
export const lockoutMinutes = 15;

/** Who is signed in: what AdminJS keeps in the session as `currentAdmin`. */
export interface StaffSession {
  id: string;
  email: string;
  title: string;
  role: StaffRole;
  partnerId: string | null;
}

/** The session of a stored account, or null when the account may not use the back office. */
export function staffSession(user: Pick<StaffUser, 'id' | 'email' | 'role' | 'partnerId'>): StaffSession | null {
  if (!isStaffRole(user.role) || Object.keys(checkStaffAccount(user)).length > 0) return null;
  return { id: user.id, email: user.email, title: staffRoleLabels[user.role], role: user.role, partnerId: user.partnerId };
}

/** Thrown to the sign-in form: the password was right, but the account has no usable role. */
export class UnusableAccountError extends Error {
  constructor() {
    super('This account has no usable role in the back office: ask the operator to set its role (and partner).');
    this.name = new.target.name;
  }
}

/**
 * Checks a staff member's password. After 5 failures in a row the account is locked for 15
 * minutes, whatever the password; a success resets the count. Each failure is counted by one
 * UPDATE, so failures sent in parallel all count. An account whose stored role is unknown, or a
 * partner user without a partner, is refused even with the right password.
 */
export async function signIn(manager: EntityManager, email: string, password: string, now = new Date()): Promise<StaffSession | null> {
  const user = await manager
    .createQueryBuilder(StaffUser, 'u')
    .addSelect(['u.passwordHash', 'u.lockedUntil'])
    .where('lower(u.email) = lower(:email)', { email: email.trim() })
    .getOne();
  if (!user) return null;
  if (user.lockedUntil && user.lockedUntil > now) return null;
  if (!(await verifyPassword(password, user.passwordHash))) {
    // A lock that has run out starts a new count.
    await manager.query(
      `UPDATE staff_user SET
         "failedSignIns" = CASE WHEN "lockedUntil" IS NULL THEN "failedSignIns" + 1 ELSE 1 END,
         "lockedUntil" = CASE WHEN "lockedUntil" IS NULL AND "failedSignIns" + 1 >= $2 THEN $3::timestamptz END
       WHERE id = $1 AND ("lockedUntil" IS NULL OR "lockedUntil" <= $4)`,
      [user.id, maxFailedSignIns, new Date(now.getTime() + lockoutMinutes * 60_000), now],
    );
    return null;
  }
  await manager.update(StaffUser, { id: user.id }, { failedSignIns: 0, lockedUntil: null });
  const session = staffSession(user);
  if (!session) throw new UnusableAccountError();
  return session;
}
