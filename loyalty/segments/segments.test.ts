import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EarningRule, Member, ProgramSettings, Segment, Tier } from '../../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createProgram } from '../../test/support/program.js';
import { recordEvent } from '../earning/record-event.js';
import { refundEvent } from '../earning/refund-event.js';
import { inTransaction } from '../ledger/transaction.js';
import { eraseMember } from '../member-erasure.js';
import type { SegmentForm } from './segment-form.js';
import { inSegment, segmentMembers, segmentSize } from './segment-query.js';
import { createSegment, SegmentRefusedError, updateSegment } from './segments.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let north: string;
let south: string;
const ago = (days: number) => new Date(Date.now() - days * 86_400_000);
const tx = <T>(work: (m: EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

function buy(externalId: string, partnerId: string, euros: number, occurredAt: Date) {
  return tx((m) =>
    recordEvent(m, p.ledger, {
      partnerId,
      member: { externalId },
      type: 'purchase',
      amountCents: euros * 100,
      currency: 'EUR',
      lines: [{ reference: 'thing', category: 'things', quantity: 1, unitPriceCents: euros * 100 }],
      occurredAt,
      receivedAt: occurredAt,
    }),
  );
}

/**
 * Known members: Alice spent €120 at North two days ago (120 points, silver, born in March);
 * Bob spent €10 at South sixty days ago (10 points, bronze; takes texts, not emails); Carol never
 * bought (born in December); Erin was in everything and then erased.
 */
beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  const m = db.dataSource.manager;
  await m.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  await m.insert(EarningRule, { name: '1 point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  await m.insert(Tier, [
    { code: 'bronze', name: 'Bronze', threshold: 0 },
    { code: 'silver', name: 'Silver', threshold: 50 },
  ]);
  north = (await p.partner(1_000_000, 'north')).partner.id;
  south = (await p.partner(1_000_000, 'south')).partner.id;
  await p.member('alice', north);
  await p.member('bob', south);
  await p.member('carol');
  await p.member('erin', north);
  await buy('alice', north, 120, ago(2));
  await buy('bob', south, 10, ago(60));
  await buy('erin', north, 200, ago(1));
  await m.update(Member, { externalId: 'alice' }, { birthday: '1990-03-15', displayName: '=HYPERLINK("x")' });
  await m.update(Member, { externalId: 'bob' }, { phone: '+32470000001', messagePreferences: { marketing: { email: false, sms: true } } });
  await m.update(Member, { externalId: 'carol' }, { birthday: '1985-12-01' });
  const erin = await m.findOneByOrFail(Member, { externalId: 'erin' });
  await tx((t) => eraseMember(t, p.ledger, { memberId: erin.id, requestedBy: 'member', reason: 'asked' }));
});
afterAll(() => db.drop());

async function members(form: SegmentForm): Promise<string[]> {
  const segment = await tx((m) => createSegment(m, { name: `s-${Math.random()}`, ...form }, 'pm@tessera.test'));
  const found = (await segmentMembers(db.dataSource.manager, segment.conditions)).map((r) => r.reference);
  expect(await segmentSize(db.dataSource.manager, segment.conditions)).toBe(found.length);
  return found.sort();
}

describe('a segment', () => {
  it.each<[string, SegmentForm, string[]]>([
    ['no condition: every member not erased', {}, ['alice', 'bob', 'carol']],
    ['a tier', { tierCodes: ['silver'] }, ['alice']],
    ['tiers', { tierCodes: ['bronze', 'silver'] }, ['alice', 'bob', 'carol']],
    ['a balance from', { balanceMin: '100' }, ['alice']],
    ['a balance up to', { balanceMax: '10' }, ['bob', 'carol']],
    ['a balance between', { balanceMin: '5', balanceMax: '10' }, ['bob']],
    ['active within days', { activity: 'active', activityDays: '30' }, ['alice']],
    ['inactive for days', { activity: 'inactive', activityDays: '30' }, ['bob', 'carol']],
    ['partners visited', { visitedPartnerIds: ['PARTNER:south'] }, ['bob']],
    ['spend at least, over days', { spendMin: '100', spendDays: '30' }, ['alice']],
    ['spend at most, over days', { spendMax: '50.00', spendDays: '90' }, ['bob', 'carol']],
    ['spend within a period that leaves the old purchase out', { spendMin: '5', spendDays: '30' }, ['alice']],
    ['birthday month', { birthdayMonth: '12' }, ['carol']],
    ['opted in to email', { emailOptIn: 'true' }, ['alice', 'carol']],
    ['opted in to SMS (with a phone)', { smsOptIn: 'true' }, ['bob']],
    ['all at once', { tierCodes: ['silver'], birthdayMonth: '3', emailOptIn: 'true', activity: 'active', activityDays: '7' }, ['alice']],
  ])('holds the members who meet its conditions: %s', async (_, form, expected) => {
    const named = Object.fromEntries(
      Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => (x === 'PARTNER:south' ? south : x)) : v]),
    );
    expect(await members(named)).toEqual(expected);
  });

  it('is evaluated at the moment asked: a member is in it or not as they stand then', async () => {
    const segment = await tx((m) => createSegment(m, { name: 'recent', activity: 'active', activityDays: '30' }, 'pm@tessera.test'));
    const bob = await db.dataSource.manager.findOneByOrFail(Member, { externalId: 'bob' });
    expect(await inSegment(db.dataSource.manager, segment.conditions, bob.id, new Date())).toBe(false);
    expect(await inSegment(db.dataSource.manager, segment.conditions, bob.id, ago(45))).toBe(true);
  });

  it('exports what a program manager needs: reference, name, contact, tier, balance, dates', async () => {
    const segment = await tx((m) => createSegment(m, { name: 'silver ones', tierCodes: ['silver'] }, 'pm@tessera.test'));
    const [alice] = await segmentMembers(db.dataSource.manager, segment.conditions);
    expect(alice).toMatchObject({ reference: 'alice', email: 'alice@example.test', tier: 'Silver', balance: 120 });
  });

  it.each<[string, SegmentForm, Record<string, string>]>([
    ['balance min above max', { balanceMin: '100', balanceMax: '10' }, { balanceMax: 'must be at least the minimum' }],
    ['month 13', { birthdayMonth: '13' }, { birthdayMonth: 'a month from the list (1 to 12)' }],
    ['an unknown tier', { tierCodes: ['platinum'] }, { tierCodes: 'choose tiers from the list' }],
    [
      'a partner that is not an id',
      { visitedPartnerIds: ["x'; DROP TABLE member; --"] },
      { visitedPartnerIds: 'choose partners from the list' },
    ],
    ['NUL characters', { name: 'bad\u0000name', description: 'x\u0000' }, { name: 'remove the invisible characters' }],
    ['a negative balance', { balanceMin: '-5' }, { balanceMin: 'a whole number of points, 0 or more' }],
    ['spend that is not money', { spendMin: 'lots', spendDays: '30' }, { spendMin: 'an amount in euros, like 49.90' }],
    ['spend without a period', { spendMin: '10' }, { spendDays: 'say over how many days' }],
    ['spend min above max', { spendMin: '50', spendMax: '10', spendDays: '30' }, { spendMax: 'must be at least the minimum' }],
    ['activity without days', { activity: 'active' }, { activityDays: 'say how many days' }],
    ['activity days out of range', { activity: 'inactive', activityDays: '0' }, { activityDays: 'a whole number of days from 1 to 3650' }],
    ['an unknown activity', { activity: 'sleeping', activityDays: '3' }, { activity: 'choose from the list' }],
    ['no name', { name: '  ' }, { name: 'give the segment a name of 1 to 100 characters' }],
  ])('refuses nonsense by field, saving nothing: %s', async (_, form, expected) => {
    const before = await db.dataSource.manager.count(Segment);
    const refused = await tx((m) => createSegment(m, { name: `n-${Math.random()}`, ...form }, 'pm@tessera.test')).catch((e) => e);
    expect(refused).toBeInstanceOf(SegmentRefusedError);
    expect(refused.details.problems).toMatchObject(expected);
    expect(await db.dataSource.manager.count(Segment)).toBe(before);
  });

  it('keeps names unique, ignoring case, and an edit is checked like a new one', async () => {
    const first = await tx((m) => createSegment(m, { name: 'Sleepers' }, 'pm@tessera.test'));
    const twice = await tx((m) => createSegment(m, { name: 'sleepers' }, 'pm@tessera.test')).catch((e) => e);
    expect(twice.details.problems).toEqual({ name: 'another segment has this name' });
    const edit = await tx((m) => updateSegment(m, first.id, { name: 'Sleepers', birthdayMonth: '0' })).catch((e) => e);
    expect(edit.details.problems).toEqual({ birthdayMonth: 'a month from the list (1 to 12)' });
    const renamed = await tx((m) => updateSegment(m, first.id, { name: 'Sleepers', activity: 'inactive', activityDays: '30' }));
    expect(renamed.conditions.inactiveForDays).toBe(30);
  });

  it('counts spend as what stayed spent: a purchase returned in full is no spend', async () => {
    const bought = await buy('dave', south, 300, ago(3));
    await tx((m) => refundEvent(m, p.ledger, { partnerId: south, eventId: bought.event.id, key: 'dave-returns-it-all' }));
    const bigSpenders = { spendMinCents: 10_000, spendDays: 30 };
    const dave = (await db.dataSource.query(`SELECT id FROM member WHERE "externalId" = 'dave'`))[0].id;
    expect(await inSegment(db.dataSource.manager, bigSpenders, dave, new Date())).toBe(false);
    expect((await segmentMembers(db.dataSource.manager, bigSpenders)).map((m) => m.reference)).toEqual(['alice']);
  });
});
