import { provisionDebianExecutable, type DebianExecutableOptions } from './debian-package.js';

/** Debian's package: the connection pooler in front of PostgreSQL in the scale-out test and the production shape. */
export const pgbouncerPackage = 'pgbouncer';
export const debianPgbouncer = '/usr/sbin/pgbouncer';

/** Finds Debian's PgBouncer, or installs it with apt-get when running as root, as Chromium is. */
export function provisionPgbouncer(options: DebianExecutableOptions = {}): string {
  return provisionDebianExecutable(
    {
      packageName: pgbouncerPackage,
      debianPath: debianPgbouncer,
      envVar: 'PGBOUNCER_PATH',
      neededBy: 'The scale-out test needs PgBouncer',
      executableName: 'a pgbouncer executable',
    },
    options,
  );
}
