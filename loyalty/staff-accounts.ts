import type { EntityManager } from 'typeorm';
import { Partner, StaffUser, staffRoles, type StaffRole } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
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

const emailFormat = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/**
 * The form's check: the account rules; an email in the form name@domain.tld that no other account
 * has in any case (sign-in ignores case); a password of at least 12 characters, required for a new
 * account (an edit without one keeps the password); the partner chosen must exist.
 */
export async function checkStaffUser(
  manager: EntityManager,
  values: Record<string, unknown>,
  account: { id?: string } = {},
): Promise<FieldErrors> {
  const errors = checkStaffAccount(values);
  const email = typeof values.email === 'string' ? values.email.trim() : '';
  if (email === '') errors.email = 'is required';
  else if (!emailFormat.test(email)) errors.email = 'must be an email address, like name@example.com';
  else {
    const others = manager.createQueryBuilder(StaffUser, 'u').where('lower(u.email) = lower(:email)', { email });
    if (account.id) others.andWhere('u.id <> :id', { id: account.id });
    if (await others.getExists()) errors.email = 'is already the email of another staff user';
  }
  if (typeof values.name !== 'string' || values.name.trim() === '') errors.name = 'is required';
  const password = typeof values.password === 'string' ? values.password : '';
  if (password === '' && !account.id) errors.password = 'is required for a new staff user';
  else if (password !== '' && password.length < minimumPasswordLength)
    errors.password = `must be at least ${minimumPasswordLength} characters`;
  const partnerId = values.partnerId;
  if (!errors.partnerId && given(partnerId)) {
    const exists = isUuid(partnerId) && (await manager.existsBy(Partner, { id: partnerId }));
    if (!exists) errors.partnerId = 'choose one of the partners';
  }
  return errors;
}
