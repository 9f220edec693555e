import { expect, it } from 'vitest';
import { staffRoles } from '../entities/staff-user.js';
import { canRead, canWrite, partnerScope, resourceAccess } from './permissions.js';

it('lets only the operator admin manage staff, and nobody write the ledger', () => {
  for (const role of staffRoles) {
    expect(canWrite('StaffUser', role)).toBe(role === 'operator_admin');
    expect(canWrite('LedgerTransfer', role)).toBe(false);
  }
});

it('keeps analysts read-only and partner users to partner-scoped or public resources', () => {
  for (const resource of Object.keys(resourceAccess)) {
    expect(canWrite(resource, 'analyst')).toBe(false);
    expect(canWrite(resource, 'partner_user')).toBe(false);
    if (canRead(resource, 'partner_user')) expect(resource in partnerScope || ['PointPackage', 'Reward'].includes(resource)).toBe(true);
  }
  expect(canRead('Member', 'partner_user')).toBe(false);
  expect(canRead('AuditEntry', 'care_agent')).toBe(false);
});
