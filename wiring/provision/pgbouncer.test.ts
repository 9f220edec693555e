import { expect, it } from 'vitest';
import { provisionPgbouncer } from './pgbouncer.js';

it('finds the connection pooler the scale-out test runs (installed by it when missing)', () => {
  expect(provisionPgbouncer({ explicitPath: process.env.PGBOUNCER_PATH })).toMatch(/pgbouncer/);
});

it('names the Debian package to install when PgBouncer is missing and this user cannot install it', () => {
  expect(() => provisionPgbouncer({ debianPath: '/nonexistent/pgbouncer', mayInstall: false })).toThrow(
    'install Debian\'s package "pgbouncer" (apt-get install pgbouncer, as root), or set PGBOUNCER_PATH',
  );
  expect(() => provisionPgbouncer({ explicitPath: '/nonexistent/pgbouncer' })).toThrow(
    'PGBOUNCER_PATH=/nonexistent/pgbouncer is not an executable',
  );
});
