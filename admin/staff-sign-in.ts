import type { EntityManager } from 'typeorm';
import { StaffUser, type StaffRole } from '../entities/index.js';
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

/**
 * Checks a staff member's password. After 5 failures in a row the account is locked for 15
 * minutes, whatever the password; a success resets the count.
 */
export async function signIn(manager: EntityManager, email: string, password: string, now = new Date()): Promise<StaffSession | null> {
  const user = await manager
    .createQueryBuilder(StaffUser, 'u')
    .addSelect(['u.passwordHash', 'u.failedSignIns', 'u.lockedUntil'])
    .where('lower(u.email) = lower(:email)', { email: email.trim() })
    .getOne();
  if (!user) return null;
  if (user.lockedUntil && user.lockedUntil > now) return null;
  if (!(await verifyPassword(password, user.passwordHash))) {
    const failed = (user.lockedUntil ? 0 : user.failedSignIns) + 1;
    await manager.update(
      StaffUser,
      { id: user.id },
      {
        failedSignIns: failed,
        lockedUntil: failed >= maxFailedSignIns ? new Date(now.getTime() + lockoutMinutes * 60_000) : null,
      },
    );
    return null;
  }
  await manager.update(StaffUser, { id: user.id }, { failedSignIns: 0, lockedUntil: null });
  return { id: user.id, email: user.email, title: user.role.replace('_', ' '), role: user.role, partnerId: user.partnerId };
}
