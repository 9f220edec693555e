import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffUser } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { inTransaction } from './ledger/transaction.js';
import { describeSignIn, signInStates } from './staff-accounts.js';
import { acceptInvitation, inviteStaffUser, invitationByToken, reinviteStaffUser, tokenForInvitation } from './staff-invitations.js';

let db: TestDatabase;
const hash = async (password: string) => `scrypt$salt$${Buffer.from(password).toString('base64')}`;
const storedHash = async (id: string) =>
  (await db.dataSource.manager.findOneOrFail(StaffUser, { where: { id }, select: { id: true, passwordHash: true } })).passwordHash;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function invited(email: string) {
  const { user, invitation } = await inTransaction(db.dataSource, (m) =>
    inviteStaffUser(m, { email, name: 'Ivy Invited', role: 'operator_admin', partnerId: null }),
  );
  const sent = await tokenForInvitation(db.dataSource.manager, invitation.id);
  return { user, token: sent!.token };
}

describe('an invitation link', () => {
  it('no longer sets a password once the operator has set one for the account', async () => {
    const { user, token } = await invited('ivy@tessera.test');
    await db.dataSource.manager.update(StaffUser, { id: user.id }, { passwordHash: await hash('operator-chosen-password') });

    expect(await invitationByToken(db.dataSource.manager, token)).toMatchObject({ usable: false, reason: 'used' });
    const result = await inTransaction(db.dataSource, (m) => acceptInvitation(m, token, 'someone-elses-password', hash));
    expect(result).toMatchObject({ ok: false, field: 'link' });
    expect(await storedHash(user.id)).toBe(await hash('operator-chosen-password'));
  });

  it('sent to a mistyped address no longer sets a password once the account has another email', async () => {
    const { user, token } = await invited('ivy@tesera.test');
    await db.dataSource.manager.update(StaffUser, { id: user.id }, { email: 'ivy2@tessera.test' });

    const result = await inTransaction(db.dataSource, (m) => acceptInvitation(m, token, 'a-stranger-s-password', hash));
    expect(result).toMatchObject({ ok: false, field: 'link' });
    expect(await storedHash(user.id)).not.toBe(await hash('a-stranger-s-password'));
  });
});

describe('inviting again', () => {
  it('replaces the pending link with a new one, valid a full week from now', async () => {
    const { user, token: old } = await invited('late@tessera.test');
    const later = new Date(Date.now() + 10 * 86_400_000);
    const again = await inTransaction(db.dataSource, (m) => reinviteStaffUser(m, user.id, later));
    const sent = await tokenForInvitation(db.dataSource.manager, again!.id, later);

    expect(await invitationByToken(db.dataSource.manager, old, later)).toMatchObject({ usable: false, reason: 'unknown' });
    expect(await invitationByToken(db.dataSource.manager, sent!.token, later)).toMatchObject({ usable: true });
    expect(sent!.expiresAt.getTime()).toBe(later.getTime() + 7 * 86_400_000);
  });

  it('is refused for an account that has a password', async () => {
    const { user } = await invited('set@tessera.test');
    await db.dataSource.manager.update(StaffUser, { id: user.id }, { passwordHash: await hash('a-password-of-its-own') });
    expect(await inTransaction(db.dataSource, (m) => reinviteStaffUser(m, user.id))).toBeNull();
  });
});

it('an invited account is not said to sign in before its password is set', async () => {
  const { user } = await invited('new@tessera.test');
  const state = (await signInStates(db.dataSource.manager, [user.id])).get(user.id);
  expect(describeSignIn(state)).toBe('Invited: cannot sign in until the password is set through the emailed link');
});
