import { expect, it } from 'vitest';
import { staffRoles } from '../entities/staff-user.js';
import { canRead, canWrite, dataScope, mayRun, partnerScope, resourceAccess } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';

it('lets only the operator admin manage staff, and nobody write the ledger', () => {
  for (const role of staffRoles) {
    expect(canWrite('StaffUser', role)).toBe(role === 'operator_admin');
    expect(canWrite('LedgerTransfer', role)).toBe(false);
  }
});

it('keeps analysts read-only and partner users to partner-scoped or public resources, writing only their own campaigns, challenges and leaderboards', () => {
  for (const resource of Object.keys(resourceAccess)) {
    expect(canWrite(resource, 'analyst')).toBe(false);
    expect(canWrite(resource, 'partner_user')).toBe(
      ['Campaign', 'Challenge', 'Badge', 'Leaderboard', 'InstantWinCampaign'].includes(resource),
    );
    if (canRead(resource, 'partner_user')) expect(resource in partnerScope || ['PointPackage', 'Reward'].includes(resource)).toBe(true);
  }
  expect(canRead('Member', 'partner_user')).toBe(false);
  expect(canRead('AuditEntry', 'care_agent')).toBe(false);
});

it("keeps message campaigns to the operator's marketing staff: partner users and care neither see nor run them", () => {
  for (const role of staffRoles) {
    expect(canRead('MessageCampaign', role), role).toBe(['operator_admin', 'program_manager', 'analyst'].includes(role));
    expect(canWrite('MessageCampaign', role), role).toBe(['operator_admin', 'program_manager'].includes(role));
    expect(mayRun('MessageCampaign', 'cancel', role), role).toBe(['operator_admin', 'program_manager'].includes(role));
  }
});

it('deletes nothing in bulk, whoever asks', () => {
  for (const resource of Object.keys(resourceAccess))
    for (const role of staffRoles) expect(mayRun(resource, 'bulkDelete', role)).toBe(false);
});

it("scopes a partner user to its partner's records, and an unusable account to nothing", () => {
  const session = (role: string, partnerId: string | null) =>
    ({ id: 'u', email: 'u@tessera.test', title: role, role, partnerId }) as unknown as StaffSession;
  const partner = session('partner_user', 'p-1');
  expect(dataScope('Invoice', partner)).toEqual({ kind: 'partner', column: 'partnerId', partnerId: 'p-1' });
  expect(dataScope('Partner', partner)).toEqual({ kind: 'partner', column: 'id', partnerId: 'p-1' });
  expect(dataScope('Reward', partner)).toEqual({ kind: 'all' });
  expect(dataScope('Campaign', partner)).toEqual({ kind: 'partner', column: 'ownerPartnerId', partnerId: 'p-1' });
  expect(dataScope('Member', partner)).toEqual({ kind: 'none' });
  expect(dataScope('Invoice', session('analyst', null))).toEqual({ kind: 'all' });
  for (const unusable of [session('superuser', null), session('partner_user', null), session('analyst', 'p-1'), undefined]) {
    for (const resource of Object.keys(resourceAccess)) expect(dataScope(resource, unusable)).toEqual({ kind: 'none' });
  }
});
