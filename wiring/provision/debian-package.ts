import { isExecutable, onPath, runBuild } from './executables.js';

export interface DebianExecutable {
  /** Debian's package that installs it. */
  packageName: string;
  /** Where Debian puts it. */
  debianPath: string;
  /** The variable a user sets to point at another executable, e.g. CHROMIUM_PATH. */
  envVar: string;
  /** Who needs it and what it is, for the message when it is missing: "The browser tests need Chromium". */
  neededBy: string;
  /** How the message calls an executable of it: "a Chromium executable". */
  executableName: string;
}

export interface DebianExecutableOptions {
  /** The variable's value: an explicit path wins over everything else. */
  explicitPath?: string;
  debianPath?: string;
  /** Whether this process may install Debian packages (root with apt-get); checked when absent. */
  mayInstall?: boolean;
  log?: (line: string) => void;
}

/**
 * Finds a Debian package's executable, or installs the package with apt-get when running as root,
 * once per machine. Otherwise it says which package to install and which variable to set.
 */
export function provisionDebianExecutable(
  wanted: DebianExecutable,
  { explicitPath, debianPath = wanted.debianPath, mayInstall, log = () => undefined }: DebianExecutableOptions = {},
): string {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`${wanted.envVar}=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  if (isExecutable(debianPath)) return debianPath;
  const aptGet = onPath('apt-get');
  const canInstall = mayInstall ?? (process.getuid?.() === 0 && aptGet !== undefined);
  if (!canInstall || !aptGet) {
    throw new Error(
      `${wanted.neededBy} at ${debianPath}: install Debian's package "${wanted.packageName}" ` +
        `(apt-get install ${wanted.packageName}, as root), or set ${wanted.envVar} to ${wanted.executableName}.`,
    );
  }
  log(`Installing Debian's ${wanted.packageName} with apt-get; this happens once per machine...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runBuild(aptGet, ['update', '-qq'], { env });
  runBuild(aptGet, ['install', '-y', '-qq', '--no-install-recommends', wanted.packageName], { env });
  if (!isExecutable(debianPath)) throw new Error(`apt-get installed ${wanted.packageName} but ${debianPath} is missing`);
  return debianPath;
}
