import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { mergeMembers } from './member-identity.js';
import {
  defaultMessagePreferences,
  mayMessage,
  memberProfile,
  messageKinds,
  messagePreferences,
  turnOffMessages,
  updateMemberProfile,
} from './member-preferences.js';
import { Refusal } from './refusal.js';

const reachable = { email: 'ann@example.test', phone: '+33612345678', mergedIntoId: null, messagePreferences: {} };

describe('mayMessage', () => {
  it("follows the program's defaults until the member chooses: program messages by email, texts only for welcome, birthday and expiry", () => {
    expect(messagePreferences(reachable)).toEqual(defaultMessagePreferences);
    expect(mayMessage(reachable, 'birthday', 'sms')).toBe(true);
    expect(mayMessage(reachable, 'marketing', 'email')).toBe(true);
    expect(mayMessage(reachable, 'marketing', 'sms')).toBe(false);
    expect(mayMessage(reachable, 'reactivation', 'sms')).toBe(false);
  });

  it("follows the member's choice per kind and channel, and leaves the other channel and kinds as they were", () => {
    const member = { ...reachable, messagePreferences: { birthday: { email: false }, marketing: { sms: true } } };
    expect(mayMessage(member, 'birthday', 'email')).toBe(false);
    expect(mayMessage(member, 'birthday', 'sms')).toBe(true);
    expect(mayMessage(member, 'marketing', 'sms')).toBe(true);
    expect(mayMessage(member, 'expiry', 'email')).toBe(true);
  });

  it('always allows codes and what a member is waiting for, but never without an address or to a merged-away member', () => {
    const optedOutOfAll = {
      ...reachable,
      messagePreferences: Object.fromEntries(messageKinds.map((kind) => [kind, { email: false, sms: false }])),
    };
    for (const kind of ['sign_in_code', 'spending_code', 'redemption'] as const) {
      expect(mayMessage(optedOutOfAll, kind, 'email'), kind).toBe(true);
      expect(mayMessage(optedOutOfAll, kind, 'sms'), kind).toBe(true);
    }
    expect(mayMessage({ ...reachable, phone: null }, 'birthday', 'sms')).toBe(false);
    expect(mayMessage({ ...reachable, email: null }, 'sign_in_code', 'email')).toBe(false);
    expect(mayMessage({ ...reachable, mergedIntoId: '00000000-0000-4000-8000-000000000000' }, 'birthday', 'email')).toBe(false);
  });

  it('ignores what is stored for kinds or channels that do not exist (older data, a hand edit)', () => {
    const member = { ...reachable, messagePreferences: { newsletter: { email: false }, birthday: { fax: false, email: 'no' } } };
    expect(messagePreferences(member as never)).toEqual(defaultMessagePreferences);
  });
});

describe('the profile', () => {
  let db: TestDatabase;
  let p: Awaited<ReturnType<typeof createProgram>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    p = await createProgram(db.dataSource);
  });
  afterAll(() => db.drop());

  const refusal = async (memberId: string, changes: Record<string, unknown>) => {
    const error = await updateMemberProfile(db.dataSource.manager, memberId, changes, new Date('2026-11-29T12:00:00Z')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Refusal);
    return { code: (error as Refusal).code, field: (error as Refusal).field, reason: (error as Refusal).reason };
  };

  it('starts in English, in UTC, without a birthday, with the default preferences', async () => {
    const { member } = await p.member('profile-new');
    expect(await memberProfile(db.dataSource.manager, member.id)).toEqual({
      displayName: null,
      email: 'profile-new@example.test',
      phone: null,
      birthday: null,
      language: 'en',
      timeZone: 'UTC',
      preferences: defaultMessagePreferences,
    });
  });

  it('keeps the changes it was given, in canonical form, and only those', async () => {
    const { member } = await p.member('profile-changes');
    const manager = db.dataSource.manager;
    await updateMemberProfile(manager, member.id, { displayName: '  Ann Smith ', birthday: '1990-02-28', language: 'fr-be' });
    await updateMemberProfile(manager, member.id, { timeZone: 'Pacific/Kiritimati', preferences: { marketing: { email: false } } });
    const profile = await updateMemberProfile(manager, member.id, { preferences: { birthday: { sms: false } } });
    expect(profile).toMatchObject({ displayName: 'Ann Smith', birthday: '1990-02-28', language: 'fr-BE', timeZone: 'Pacific/Kiritimati' });
    expect(profile.preferences).toEqual({
      ...defaultMessagePreferences,
      marketing: { email: false, sms: false },
      birthday: { email: true, sms: false },
    });
    await updateMemberProfile(manager, member.id, { birthday: null, displayName: '' });
    expect(await memberProfile(manager, member.id)).toMatchObject({ birthday: null, displayName: null, language: 'fr-BE' });
  });

  it('refuses what is not a date, a language, a time zone or a choice, naming the field, and changes nothing', async () => {
    const { member } = await p.member('profile-refused');
    const id = member.id;
    expect(await refusal(id, { birthday: '1990-02-30' })).toMatchObject({ code: 'invalid_profile', field: 'birthday' });
    expect(await refusal(id, { birthday: '28/02/1990' })).toMatchObject({ field: 'birthday' });
    expect((await refusal(id, { birthday: '2026-12-01' })).reason).toMatch(/in the future/);
    expect(await refusal(id, { birthday: '1899-12-31' })).toMatchObject({ field: 'birthday' });
    expect(await refusal(id, { language: 'not a language' })).toMatchObject({ field: 'language' });
    expect(await refusal(id, { language: 42 })).toMatchObject({ field: 'language' });
    expect(await refusal(id, { timeZone: 'Mars/Olympus_Mons' })).toMatchObject({ field: 'timeZone' });
    expect(await refusal(id, { timeZone: '+01:00' })).toMatchObject({ field: 'timeZone' });
    expect(await refusal(id, { displayName: 'x'.repeat(81) })).toMatchObject({ field: 'displayName' });
    expect(await refusal(id, { displayName: 'Ann\u0000' })).toMatchObject({ field: 'displayName' });
    expect(await refusal(id, { preferences: { newsletter: { email: true } } })).toMatchObject({ field: 'preferences.newsletter' });
    expect(await refusal(id, { preferences: { birthday: { fax: true } } })).toMatchObject({ field: 'preferences.birthday.fax' });
    expect(await refusal(id, { preferences: { birthday: { sms: 'yes' } } })).toMatchObject({ field: 'preferences.birthday.sms' });
    expect(await refusal(id, { preferences: { birthday: 'off' } })).toMatchObject({ field: 'preferences.birthday' });
    expect(await refusal(id, { nickname: 'Annie' })).toMatchObject({ field: 'nickname' });
    // A refused request writes none of its fields, even the good ones.
    expect(await refusal(id, { displayName: 'Ann', timeZone: 'Nowhere/Special' })).toMatchObject({ field: 'timeZone' });
    expect(await memberProfile(db.dataSource.manager, id)).toMatchObject({ displayName: null, timeZone: 'UTC', birthday: null });
  });

  it('turns one kind off on one channel, for the member a merged id stands for', async () => {
    const { member: from } = await p.member('profile-merged-away');
    const { member: into } = await p.member('profile-merged-into');
    await db.dataSource.transaction((manager) =>
      mergeMembers(manager, p.ledger, { fromMemberId: from.id, intoMemberId: into.id, cause: 'verified_contact', requestedBy: 'test' }),
    );
    await updateMemberProfile(db.dataSource.manager, into.id, { preferences: { birthday: { sms: false } } });
    await turnOffMessages(db.dataSource.manager, from.id, 'birthday', 'email');
    const stored = await db.dataSource.manager.findOneByOrFail(Member, { id: into.id });
    expect(stored.messagePreferences).toEqual({ birthday: { email: false, sms: false } });
    expect(mayMessage(stored, 'birthday', 'email')).toBe(false);
    expect(mayMessage(stored, 'expiry', 'email')).toBe(true);
  });
});
