import { afterAll, beforeAll, expect, it } from 'vitest';
import { ScrubSecretsFromAuditLog1795968029486 } from '../entities/migrations/1795968029486-ScrubSecretsFromAuditLog.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it('removes the secrets old audit entries recorded, keeping everything else they say', async () => {
  const entry = (before: object | null, after: object | null) =>
    db.dataSource.query(
      `INSERT INTO audit_entry ("staffEmail", action, resource, "recordId", before, after) VALUES ('operator@tessera.demo', 'edit', 'WebhookEndpoint', NULL, $1, $2) RETURNING id`,
      [before, after],
    );
  const [{ id: edited }] = await entry(
    { url: 'https://old.test', secret: 'whsec_old', active: true },
    { url: 'https://new.test', secret: 'whsec_old', active: false },
  );
  const [{ id: created }] = await entry(null, { url: 'https://a.test', secret: 'whsec_a', 'events.0': 'points.earned' });
  const [{ id: other }] = await entry({ name: 'Gold', threshold: 1000 }, { name: 'Gold', threshold: 2000 });

  const runner = db.dataSource.createQueryRunner();
  try {
    await new ScrubSecretsFromAuditLog1795968029486().up(runner);
  } finally {
    await runner.release();
  }

  const rows = await db.dataSource.query(`SELECT id, before, after FROM audit_entry WHERE id = ANY($1) ORDER BY id`, [
    [edited, created, other],
  ]);
  const byId = Object.fromEntries(rows.map((row: { id: string }) => [row.id, row]));
  expect(byId[edited]).toMatchObject({
    before: { url: 'https://old.test', active: true },
    after: { url: 'https://new.test', active: false },
  });
  expect(byId[edited].before).not.toHaveProperty('secret');
  expect(byId[edited].after).not.toHaveProperty('secret');
  expect(byId[created]).toMatchObject({ before: null, after: { url: 'https://a.test', 'events.0': 'points.earned' } });
  expect(byId[created].after).not.toHaveProperty('secret');
  expect(byId[other]).toMatchObject({ before: { name: 'Gold', threshold: 1000 }, after: { name: 'Gold', threshold: 2000 } });
});
