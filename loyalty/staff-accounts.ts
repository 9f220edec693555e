import type { EntityManager } from 'typeorm';
import { Partner, staffRoles, type StaffRole } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';

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

/** The form's check: the account rules, and the partner chosen must exist. */
export async function checkStaffUser(manager: EntityManager, values: Record<string, unknown>): Promise<FieldErrors> {
  const errors = checkStaffAccount(values);
  const partnerId = values.partnerId;
  if (!errors.partnerId && given(partnerId)) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const exists = uuid.test(String(partnerId)) && (await manager.existsBy(Partner, { id: String(partnerId) }));
    if (!exists) errors.partnerId = 'choose one of the partners';
  }
  return errors;
}
