import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { createProgram } from '../test/support/program.js';
import { authenticateApiKey, issueApiKey, revokeApiKey } from './api-keys.js';

let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;

beforeAll(async () => {
  db = await createTestDatabase();
  p = await createProgram(db.dataSource);
});
afterAll(() => db.drop());

it('authenticates a partner by its key, stores only a hash, and stops at revocation', async () => {
  const { partner } = await p.partner();
  const { partner: other } = await p.partner();
  const manager = db.dataSource.manager;
  const { secret, key } = await issueApiKey(manager, partner.id, 'checkout');
  const second = await issueApiKey(manager, partner.id, 'mobile app');
  expect(secret.startsWith(`${key.prefix}_`)).toBe(true);
  const [stored] = await db.dataSource.query('SELECT * FROM api_key WHERE id = $1', [key.id]);
  expect(JSON.stringify(stored)).not.toContain(secret.slice(key.prefix.length + 1));

  const authenticated = await authenticateApiKey(manager, secret);
  expect(authenticated?.partner.id).toBe(partner.id);
  const [{ lastUsedAt }] = await db.dataSource.query('SELECT "lastUsedAt" FROM api_key WHERE id = $1', [key.id]);
  expect(lastUsedAt).not.toBeNull();

  expect(await authenticateApiKey(manager, `${secret}x`)).toBeNull();
  expect(await authenticateApiKey(manager, 'tk_nonsense')).toBeNull();
  expect(await authenticateApiKey(manager, '')).toBeNull();

  expect(await revokeApiKey(manager, other.id, key.id)).toBe(false);
  expect(await revokeApiKey(manager, partner.id, key.id)).toBe(true);
  expect(await authenticateApiKey(manager, secret)).toBeNull();
  expect((await authenticateApiKey(manager, second.secret))?.partner.id).toBe(partner.id);
});
