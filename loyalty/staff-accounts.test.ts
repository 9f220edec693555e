import { expect, it } from 'vitest';
import { checkStaffAccount } from './staff-accounts.js';

const partnerId = '6f1c1f4e-2b7a-4c1e-9a57-0d7c5a3e2b10';

it('accepts the six roles, a partner user with its partner and staff without one', () => {
  expect(checkStaffAccount({ role: 'operator_admin', partnerId: null })).toEqual({});
  expect(checkStaffAccount({ role: 'analyst', partnerId: '' })).toEqual({});
  expect(checkStaffAccount({ role: 'partner_user', partnerId })).toEqual({});
});

it('refuses an unknown role, a partner user without a partner and staff with one, under the field at fault', () => {
  expect(checkStaffAccount({ role: 'superuser', partnerId: null }).role).toMatch(/^must be one of: Operator admin, .*Partner user$/);
  expect(checkStaffAccount({ role: undefined }).role).toBeDefined();
  expect(checkStaffAccount({ role: 'partner_user', partnerId: null })).toEqual({
    partnerId: 'a partner user needs the partner whose data it sees',
  });
  expect(checkStaffAccount({ role: 'care_agent', partnerId })).toEqual({
    partnerId: 'only partner users belong to a partner: leave it empty',
  });
});
