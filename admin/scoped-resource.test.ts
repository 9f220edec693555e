import { randomUUID } from 'node:crypto';
import { Filter } from 'adminjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, MemberEvent } from '../entities/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { statementsDuring } from '../test/support/statements.js';
import { estimatedFromRows, ScopedResource } from './scoped-resource.js';
import type { StaffSession } from './staff-sign-in.js';

let db: TestDatabase;
const partners = [randomUUID(), randomUUID()];
const members = [randomUUID(), randomUUID()];

const session = (role: StaffSession['role'], partnerId: string | null = null) => ({
  currentAdmin: { id: randomUUID(), email: `${role}@tessera.test`, title: role, role, partnerId },
});
const operator = session('operator_admin');

beforeAll(async () => {
  db = await createTestDatabase();
  // Three events of the first partner (two of the first member), one of the second.
  await db.dataSource.query(
    `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points)
     SELECT p, m, 'c', 'purchase', now() - n * interval '1 minute', n
       FROM (VALUES ($1::uuid, $3::uuid, 1), ($1, $3, 2), ($1, $4, 3), ($2, $3, 4)) AS e(p, m, n)`,
    [...partners, ...members],
  );
}, 60_000);
afterAll(() => db?.drop());

describe('the back office adapter', () => {
  const events = () => new ScopedResource(MemberEvent);
  const points = async (found: Promise<{ params: Record<string, unknown> }[]>) => (await found).map((r) => r.params.points).sort();
  const list = (filters: Record<string, unknown>, context: object) =>
    events().find(new Filter(filters, events()), { limit: 10, sort: { sortBy: 'occurredAt', direction: 'desc' } }, context);

  it("lists and counts a partner user's own events only, and filters by a uuid column exactly", async () => {
    const partnerUser = session('partner_user', partners[0]!);
    expect(await points(list({}, partnerUser))).toEqual([1, 2, 3]);
    expect(await events().count(new Filter({}, events()), partnerUser)).toBe(3);
    expect(await points(list({ memberId: members[0] }, partnerUser))).toEqual([1, 2]);
    expect(await points(list({ memberId: members[0] }, operator))).toEqual([1, 2, 4]);
    expect(await events().count(new Filter({ memberId: members[0] }, events()), operator)).toBe(3);
  });

  it('finds nothing by a uuid spelled otherwise than PostgreSQL writes it, as before, and fails on none', async () => {
    for (const spelling of [members[0]!.toUpperCase(), members[0]!.slice(0, 8), `${members[0]} `, 'not a uuid']) {
      expect(await list({ memberId: spelling }, operator), spelling).toEqual([]);
      expect(await events().count(new Filter({ memberId: spelling }, events()), operator), spelling).toBe(0);
    }
  });

  it('finds nothing by text PostgreSQL text cannot hold (NUL), and fails on none', async () => {
    const partnerUser = session('partner_user', partners[0]!);
    for (const context of [operator, partnerUser]) {
      expect(await list({ customerId: 'c\u0000' }, context)).toEqual([]);
      expect(await events().count(new Filter({ customerId: 'c\u0000' }, events()), context)).toBe(0);
    }
  });

  it("counts a list of fewer rows exactly, and an unfiltered one of many from the table's statistics", async () => {
    const entries = new ScopedResource(AuditEntry);
    const count = (filters: Record<string, unknown>) => entries.count(new Filter(filters, entries), operator);
    await db.dataSource.query(
      `INSERT INTO audit_entry ("staffEmail", action, resource) SELECT 'a@tessera.test', 'edit', 'Tier' FROM generate_series(1, 10)`,
    );
    expect(await count({})).toBe(10);
    const many = estimatedFromRows + 20_000;
    await db.dataSource.query(
      `INSERT INTO audit_entry ("staffEmail", action, resource)
       SELECT 'a@tessera.test', CASE WHEN n % 1000 = 0 THEN 'delete' ELSE 'edit' END, 'Tier' FROM generate_series(1, $1) n`,
      [many - 10],
    );
    await db.dataSource.query(`ANALYZE audit_entry`);
    const estimate = await count({});
    expect(Math.abs(estimate - many) / many).toBeLessThan(0.02);
    // A filter narrows the list: it is counted.
    expect(await count({ action: 'delete' })).toBe(Math.floor((many - 10) / 1000));
  }, 60_000);

  it('estimates an unfiltered list of a table partitioned by month from its partitions’ statistics, without counting', async () => {
    const events = new ScopedResource(MemberEvent);
    const many = estimatedFromRows + 20_000;
    await db.dataSource.query(
      `INSERT INTO member_event ("partnerId", "memberId", "customerId", type, "occurredAt", points)
       SELECT gen_random_uuid(), gen_random_uuid(), 'c', 'purchase', now() - (n % 60) * interval '1 day', 0 FROM generate_series(1, $1) n`,
      [many],
    );
    await db.dataSource.query(`ANALYZE member_event`);
    let estimate = 0;
    const sent = await statementsDuring(async () => {
      estimate = await events.count(new Filter({}, events), operator);
    });
    expect(sent.filter((text) => /count\(/i.test(text))).toEqual([]);
    expect(Math.abs(estimate - many) / many).toBeLessThan(0.02);
  }, 60_000);
});
