import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, MemberLink } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { mergeMembers } from './member-identity.js';
import { searchMembers } from './member-search.js';
import { enrollMember } from './members.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let bookshop: string;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
  bookshop = (await p.partner(0, 'find-bookshop')).partner.id;
  const manager = db.dataSource.manager;
  await enrollMember(manager, {
    externalId: 'find-ines',
    email: 'ines.jansen@example.test',
    phone: '+31612345678',
    displayName: 'Inès Jansen',
  });
  await enrollMember(manager, { externalId: 'find-hugo', email: 'hugo@example.test', phone: '+33612345678', displayName: 'Hugo Jansen' });
  await enrollMember(manager, { externalId: 'find-anna', displayName: 'Anna 100% Loyal' });
  await enrollMember(manager, { externalId: 'find-anne', displayName: 'Anne 1000 Loyal' });
  const ines = await manager.findOneByOrFail(Member, { externalId: 'find-ines' });
  await manager.insert(MemberLink, { partnerId: bookshop, customerId: 'BB-Cust-0042', memberId: ines.id, cause: 'store' });
}, 60_000);
afterAll(() => db?.drop());

const references = async (text: string) => (await searchMembers(db.dataSource.manager, text)).map((m) => m.reference);

describe('searching members for care', () => {
  it('finds a member by their email in any case, with their name and the stores that know them', async () => {
    const [found, ...others] = await searchMembers(db.dataSource.manager, '  INES.JANSEN@Example.TEST ');
    expect(others).toEqual([]);
    expect(found).toMatchObject({
      reference: 'find-ines',
      name: 'Inès Jansen',
      email: 'ines.jansen@example.test',
      phone: '+31612345678',
      matchedBy: { how: 'email' },
      stores: [{ store: 'Shop find-bookshop', customerId: 'BB-Cust-0042' }],
    });
  });

  it('finds a member by their phone written in any spelling', async () => {
    for (const spelling of ['+31612345678', '+31 6 1234 5678', '0031 6 12 34 56 78', '(+31) 6-12-34-56-78', '+31 (0)6 1234 5678']) {
      expect(await references(spelling), spelling).toEqual(['find-ines']);
    }
    // Another country's number with the same local digits is someone else...
    expect(await references('+33 6 12 34 56 78')).toEqual(['find-hugo']);
    // ...and a number written the local way, without its country, may be either: care tells them apart by name.
    expect(await references('06 1234 5678')).toEqual(['find-hugo', 'find-ines']);
  });

  it("finds a member by a store's customer id or their reference, in any case, saying which store knows them by it", async () => {
    const [byStore] = await searchMembers(db.dataSource.manager, 'bb-cust-0042');
    expect(byStore).toMatchObject({ reference: 'find-ines', matchedBy: { how: 'store_id', store: 'Shop find-bookshop' } });
    expect(await references('FIND-HUGO')).toEqual(['find-hugo']);
  });

  it('finds members by part of their name, in any case and accent as typed, strongest match first', async () => {
    expect(await references('jansen')).toEqual(['find-hugo', 'find-ines']);
    expect(await references('inès')).toEqual(['find-ines']);
    const [byReference, ...byName] = await searchMembers(db.dataSource.manager, 'find-hugo');
    expect(byReference?.matchedBy.how).toBe('reference');
    expect(byName).toEqual([]);
  });

  it('reads wildcards as the characters they are, and finds nothing for blank or too short text', async () => {
    expect(await references('100%')).toEqual(['find-anna']);
    expect(await references('%')).toEqual([]);
    expect(await references('_')).toEqual([]);
    expect(await references('   ')).toEqual([]);
  });

  it('finds no one, and fails on nothing, for text with a character PostgreSQL text cannot hold (NUL)', async () => {
    expect(await references('find-ines\u0000')).toEqual([]);
    expect(await references('\u0000\u0000\u0000')).toEqual([]);
  });

  it('shows the strongest matches first, then by name, cut at the limit, each with the stores that know them', async () => {
    const manager = db.dataSource.manager;
    // Enrolled out of order: the page is ordered by name, whatever the order found.
    for (const n of [7, 3, 9, 1, 5, 8, 2, 6, 4]) {
      await enrollMember(manager, { externalId: `find-many-${n}`, email: `many${n}@example.test`, displayName: `Many Visser ${n}` });
    }
    const nine = await manager.findOneByOrFail(Member, { externalId: 'find-many-9' });
    await manager.insert(MemberLink, { partnerId: bookshop, customerId: 'many visser', memberId: nine.id, cause: 'store' });
    const found = await searchMembers(manager, 'Many Visser', 4);
    // The store's id (in another case) outranks every name; then names in order, four in all.
    expect(found.map((m) => [m.reference, m.matchedBy.how])).toEqual([
      ['find-many-9', 'store_id'],
      ['find-many-1', 'name'],
      ['find-many-2', 'name'],
      ['find-many-3', 'name'],
    ]);
    expect(found[0]?.stores).toEqual([{ store: 'Shop find-bookshop', customerId: 'many visser' }]);
    expect(found[1]).toMatchObject({ name: 'Many Visser 1', email: 'many1@example.test', stores: [] });
  });

  it('finds by a whole email the member who has it, then those whose email contains it, in any case', async () => {
    const manager = db.dataSource.manager;
    for (const [externalId, email] of [
      ['find-jo', 'jo@mail.test'],
      ['find-ajo', 'ajo@mail.test'],
      ['find-jo-uk', 'jo@mail.test.uk'],
      ['find-jo-other', 'jo@other.test'],
    ] as const) {
      await enrollMember(manager, { externalId, email });
    }
    const found = await searchMembers(manager, 'JO@Mail.test');
    expect(found.map((m) => [m.reference, m.matchedBy.how])).toEqual([
      ['find-jo', 'email'],
      ['find-ajo', 'part_of_email'],
      ['find-jo-uk', 'part_of_email'],
    ]);
    expect(await references('o@mail.test.u')).toEqual(['find-jo-uk']);
  });

  it('finds a phone by its last digits, written the local way, only from eight digits on', async () => {
    expect(await references('6 1234 5678')).toEqual(['find-hugo', 'find-ines']);
    expect(await references('612345678')).toEqual(['find-hugo', 'find-ines']);
    expect(await references('2345678')).toEqual([]);
  });

  it('finds a member merged into another as whom they became', async () => {
    const manager = db.dataSource.manager;
    await enrollMember(manager, { externalId: 'find-old', email: 'old.address@example.test', displayName: 'Old Account' });
    await enrollMember(manager, { externalId: 'find-new', email: 'new.address@example.test', displayName: 'Nora New' });
    const [from, into] = await Promise.all(['find-old', 'find-new'].map((externalId) => manager.findOneByOrFail(Member, { externalId })));
    await db.dataSource.transaction((m) =>
      mergeMembers(m, p.ledger, { fromMemberId: from!.id, intoMemberId: into!.id, cause: 'care', requestedBy: 'care@tessera.test' }),
    );
    const found = await searchMembers(manager, 'OLD.ADDRESS@example.test');
    expect(found.map((m) => m.reference)).toEqual(['find-new']);
    expect(found[0]?.name).toBe('Nora New');
  });
});
