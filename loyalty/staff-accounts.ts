import type { EntityManager } from 'typeorm';
import { Partner, StaffUser, staffRoles, type StaffRole } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { isEmail } from './field-checks.js';
import { isUuid } from './ids.js';

/** How each role reads to the people who choose one. */
export const staffRoleLabels: Record<StaffRole, string> = {
  operator_admin: 'Operator admin',
  program_manager: 'Program manager',
  care_agent: 'Care agent',
  care_supervisor: 'Care supervisor',
  analyst: 'Analyst (read-only)',
  partner_user: 'Partner user',
};

export const isStaffRole = (role: unknown): role is StaffRole => staffRoles.includes(role as StaffRole);

const given = (value: unknown) => value !== undefined && value !== null && value !== '';

/**
 * A staff account is usable when its role is one of the six and it has a partner exactly when it
 * is a partner user: old rows or SQL may hold anything, and such an account may see nothing.
 */
export function checkStaffAccount(values: { role?: unknown; partnerId?: unknown }): FieldErrors {
  const errors: FieldErrors = {};
  if (!isStaffRole(values.role)) errors.role = `must be one of: ${Object.values(staffRoleLabels).join(', ')}`;
  else if (values.role === 'partner_user' && !given(values.partnerId))
    errors.partnerId = 'a partner user needs the partner whose data it sees';
  else if (values.role !== 'partner_user' && given(values.partnerId))
    errors.partnerId = 'only partner users belong to a partner: leave it empty';
  return errors;
}

/** Long enough that guessing it through the sign-in form (5 tries per 15 minutes) gets nowhere. */
export const minimumPasswordLength = 12;
/** Hashing a longer one is work an attacker could make the server do for nothing. */
const maximumPasswordLength = 200;

/**
 * The password policy: 12 to 200 characters, not one character repeated, and not the account's
 * email or name (the first things a guesser tries).
 */
export function passwordProblem(password: string, account: { email?: unknown; name?: unknown }): string | undefined {
  if (password.length < minimumPasswordLength) return `must be at least ${minimumPasswordLength} characters`;
  if (password.length > maximumPasswordLength) return `must be at most ${maximumPasswordLength} characters`;
  if (new Set(password).size === 1) return 'must not be one character repeated';
  const lower = password.toLowerCase();
  const email = typeof account.email === 'string' ? account.email.trim().toLowerCase() : '';
  const local = email.split('@')[0]!;
  if (email !== '' && (lower.includes(email) || (local.length >= 3 && lower.includes(local)))) return 'must not contain the email address';
  const name = typeof account.name === 'string' ? account.name.trim().toLowerCase() : '';
  if (name.length >= 3 && lower.includes(name)) return 'must not contain the name';
  return undefined;
}

/**
 * The form's check: the account rules; an email in the form name@domain.tld that no other account
 * has in any case (sign-in ignores case); a password by the policy (passwordProblem), required for
 * a new account (an edit without one keeps the password); the partner chosen must exist.
 */
export async function checkStaffUser(
  manager: EntityManager,
  values: Record<string, unknown>,
  account: { id?: string } = {},
): Promise<FieldErrors> {
  const errors = checkStaffAccount(values);
  const email = typeof values.email === 'string' ? values.email.trim() : '';
  if (email === '') errors.email = 'is required';
  else if (!isEmail(email)) errors.email = 'must be an email address, like name@example.com';
  else {
    const others = manager.createQueryBuilder(StaffUser, 'u').where('lower(u.email) = lower(:email)', { email });
    if (account.id) others.andWhere('u.id <> :id', { id: account.id });
    if (await others.getExists()) errors.email = 'is already the email of another staff user';
  }
  if (typeof values.name !== 'string' || values.name.trim() === '') errors.name = 'is required';
  const password = typeof values.password === 'string' ? values.password : '';
  if (password === '' && !account.id) errors.password = 'is required for a new staff user';
  else if (password !== '') {
    const problem = passwordProblem(password, values);
    if (problem) errors.password = problem;
  }
  const partnerId = values.partnerId;
  if (!errors.partnerId && given(partnerId)) {
    const exists = isUuid(partnerId) && (await manager.existsBy(Partner, { id: partnerId }));
    if (!exists) errors.partnerId = 'choose one of the partners';
  }
  return errors;
}

/**
 * What an invited account holds instead of a password hash: no password matches it (it is not a
 * scrypt hash), so the account cannot sign in until its owner sets one through the link.
 */
export const noPasswordYet = 'invited: no password set yet';

/** Where an account stands with signing in: failed attempts since the last success, a lock, and whether it has a password yet. */
export interface SignInState {
  failedSignIns: number;
  lockedUntil: Date | null;
  invited: boolean;
}

/** The sign-in state of accounts, by id (columns no form reads). */
export async function signInStates(manager: EntityManager, ids: string[]): Promise<Map<string, SignInState>> {
  const found = ids.filter(isUuid);
  if (found.length === 0) return new Map();
  const rows = await manager
    .createQueryBuilder(StaffUser, 'u')
    .select(['u.id', 'u.failedSignIns', 'u.lockedUntil', 'u.passwordHash'])
    .where('u.id IN (:...found)', { found })
    .getMany();
  return new Map(
    rows.map((row) => [
      row.id,
      { failedSignIns: row.failedSignIns, lockedUntil: row.lockedUntil, invited: row.passwordHash === noPasswordYet },
    ]),
  );
}

export const isLocked = (state: SignInState | undefined, now = new Date()): boolean => !!state?.lockedUntil && state.lockedUntil > now;

/** The sign-in state in words, times in UTC: "Locked until 2025-03-04 10:15 UTC after 5 failed sign-ins". */
export function describeSignIn(state: SignInState | undefined, now = new Date()): string {
  if (!state) return '';
  if (state.invited) return 'Invited: cannot sign in until the password is set through the emailed link';
  const attempts = `${state.failedSignIns} failed sign-in${state.failedSignIns === 1 ? '' : 's'}`;
  if (isLocked(state, now)) {
    return `Locked until ${state.lockedUntil!.toISOString().slice(0, 16).replace('T', ' ')} UTC after ${attempts}`;
  }
  return state.failedSignIns > 0 && !state.lockedUntil ? `Can sign in (${attempts} since the last success)` : 'Can sign in';
}

/** Lifts a lock (and forgets the failed attempts): the account can sign in at once. True when it was locked. */
export async function unlockStaffAccount(manager: EntityManager, id: string, now = new Date()): Promise<boolean> {
  const result = await manager
    .createQueryBuilder()
    .update(StaffUser)
    .set({ failedSignIns: 0, lockedUntil: null })
    .where('id = :id AND "lockedUntil" > :now', { id, now })
    .execute();
  return (result.affected ?? 0) > 0;
}
