import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffUser } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { checkStaffAccount, checkStaffUser, describeSignIn, passwordProblem } from './staff-accounts.js';

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

describe('the staff user form', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.dataSource.manager.insert(StaffUser, {
      email: 'analyst@tessera.demo',
      name: 'Ana Lyst',
      role: 'analyst',
      passwordHash: 'scrypt$x$y',
    });
  });
  afterAll(() => db?.drop());
  const form = { name: 'New Person', role: 'analyst', password: 'twelve chars' };

  it('requires an email address no other account has, whatever its case', async () => {
    const check = (email: unknown, id?: string) => checkStaffUser(db.dataSource.manager, { ...form, email }, { id });
    expect(await check('new.person@tessera.demo')).toEqual({});
    expect((await check('')).email).toBe('is required');
    expect((await check('notanemail')).email).toBe('must be an email address, like name@example.com');
    expect((await check('a@b')).email).toBe('must be an email address, like name@example.com');
    expect((await check('Analyst@Tessera.demo')).email).toBe('is already the email of another staff user');
    expect((await check(' analyst@tessera.demo ')).email).toBe('is already the email of another staff user');
    const [own] = await db.dataSource.query(`SELECT id FROM staff_user WHERE email = 'analyst@tessera.demo'`);
    expect(await check('ANALYST@tessera.demo', own.id)).toEqual({});
  });

  it('requires a password of 12 characters or more for a new account; an edit without one keeps it', async () => {
    const check = (password: unknown, id?: string) =>
      checkStaffUser(db.dataSource.manager, { ...form, email: 'someone@tessera.demo', password }, { id });
    expect((await check('')).password).toBe('is required for a new staff user');
    expect((await check(undefined)).password).toBe('is required for a new staff user');
    expect((await check('a')).password).toBe('must be at least 12 characters');
    expect((await check('elevenchars')).password).toBe('must be at least 12 characters');
    expect(await check('twelve chars')).toEqual({});
    const id = '6f1c1f4e-2b7a-4c1e-9a57-0d7c5a3e2b10';
    expect(await check('', id)).toEqual({});
    expect((await check('short', id)).password).toBe('must be at least 12 characters');
  });

  it('requires a name', async () => {
    expect((await checkStaffUser(db.dataSource.manager, { ...form, email: 'x@tessera.demo', name: '  ' })).name).toBe('is required');
  });
});

it('keeps passwords a guesser would try first out: too short or long, one character repeated, the email or the name', () => {
  const account = { email: 'pia.partner@koffie.test', name: 'Pia Partner' };
  expect(passwordProblem('correct horse battery', account)).toBeUndefined();
  expect(passwordProblem('a'.repeat(201), account)).toBe('must be at most 200 characters');
  expect(passwordProblem('xxxxxxxxxxxxxxxx', account)).toBe('must not be one character repeated');
  expect(passwordProblem('pia.partner@koffie.test', account)).toBe('must not contain the email address');
  expect(passwordProblem('PIA.PARTNER2024!', account)).toBe('must not contain the email address');
  expect(passwordProblem('i am pia partner!', account)).toBe('must not contain the name');
});

it('says whether an account can sign in, and until when it is locked', () => {
  const now = new Date('2025-03-04T10:00:00Z');
  expect(describeSignIn({ failedSignIns: 0, lockedUntil: null, invited: false }, now)).toBe('Can sign in');
  expect(describeSignIn({ failedSignIns: 2, lockedUntil: null, invited: false }, now)).toBe(
    'Can sign in (2 failed sign-ins since the last success)',
  );
  expect(describeSignIn({ failedSignIns: 5, lockedUntil: new Date('2025-03-04T10:15:00Z'), invited: false }, now)).toBe(
    'Locked until 2025-03-04 10:15 UTC after 5 failed sign-ins',
  );
  // A lock that ran out: the next failure starts a new count.
  expect(describeSignIn({ failedSignIns: 5, lockedUntil: new Date('2025-03-04T09:00:00Z'), invited: false }, now)).toBe('Can sign in');
});
