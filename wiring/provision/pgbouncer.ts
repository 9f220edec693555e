import { isExecutable, onPath, runBuild } from './executables.js';

/** Debian's package: the connection pooler in front of PostgreSQL in the scale-out test and the production shape. */
export const pgbouncerPackage = 'pgbouncer';
export const debianPgbouncer = '/usr/sbin/pgbouncer';

export interface PgbouncerOptions {
  /** PGBOUNCER_PATH: an explicit path wins over everything else. */
  explicitPath?: string;
  /** Where Debian puts it. */
  debianPath?: string;
  /** Whether this process may install Debian packages (root with apt-get); checked when absent. */
  mayInstall?: boolean;
  log?: (line: string) => void;
}

/**
 * Finds Debian's PgBouncer, or installs it with apt-get when running as root, as Chromium is.
 * Otherwise it says which package to install.
 */
export function provisionPgbouncer({
  explicitPath,
  debianPath = debianPgbouncer,
  mayInstall,
  log = () => undefined,
}: PgbouncerOptions = {}): string {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`PGBOUNCER_PATH=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  if (isExecutable(debianPath)) return debianPath;
  const aptGet = onPath('apt-get');
  const canInstall = mayInstall ?? (process.getuid?.() === 0 && aptGet !== undefined);
  if (!canInstall || !aptGet) {
    throw new Error(
      `The scale-out test needs PgBouncer at ${debianPath}: install Debian's package "${pgbouncerPackage}" ` +
        `(apt-get install ${pgbouncerPackage}, as root), or set PGBOUNCER_PATH to a pgbouncer executable.`,
    );
  }
  log(`Installing Debian's ${pgbouncerPackage} with apt-get; this happens once per machine...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runBuild(aptGet, ['update', '-qq'], { env });
  runBuild(aptGet, ['install', '-y', '-qq', '--no-install-recommends', pgbouncerPackage], { env });
  if (!isExecutable(debianPath)) throw new Error(`apt-get installed ${pgbouncerPackage} but ${debianPath} is missing`);
  return debianPath;
}
