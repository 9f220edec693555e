import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffUser } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { inTransaction } from './ledger/transaction.js';
import { acceptInvitation, inviteStaffUser, invitationByToken, tokenForInvitation } from './staff-invitations.js';

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
