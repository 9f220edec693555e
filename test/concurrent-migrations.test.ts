import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { expect, inject, it } from 'vitest';
import { migrations } from '../entities/migrations/index.js';
import { openDataSource } from '../wiring/database.js';

const withDatabase = (url: string, name: string) => url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);

// Several web and worker processes start at once against a new database (a deployment, a scale-out):
// each brings the schema up to date, and each migration must run exactly once.
it('migrates an empty database once when three processes start at the same moment', async () => {
  const server = withDatabase(inject('templateDatabaseUrl'), 'postgres');
  const name = `fresh_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = withDatabase(server, name);
  try {
    const started = await Promise.allSettled([openDataSource(url), openDataSource(url), openDataSource(url)]);
    const refused = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    for (const s of started) if (s.status === 'fulfilled') await s.value.destroy();
    expect(refused).toEqual([]);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const { rows } = await check.query<{ name: string; runs: number }>(
      `SELECT name, COUNT(*)::int AS runs FROM schema_migration GROUP BY name`,
    );
    await check.end();
    expect(rows.length).toBe(migrations.length);
    expect(rows.filter((r) => r.runs !== 1)).toEqual([]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
