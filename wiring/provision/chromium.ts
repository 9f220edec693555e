import { isExecutable, onPath, runBuild } from './executables.js';

/** Debian's package: the browser tests drive it through playwright-core (never a downloaded browser). */
export const chromiumPackage = 'chromium';
export const debianChromium = '/usr/bin/chromium';

export interface ChromiumOptions {
  /** CHROMIUM_PATH: an explicit path wins over everything else. */
  explicitPath?: string;
  /** Where Debian puts it. */
  debianPath?: string;
  /** Whether this process may install Debian packages (root with apt-get); checked when absent. */
  mayInstall?: boolean;
  log?: (line: string) => void;
}

/**
 * Finds Debian's Chromium, or installs it with apt-get when running as root, as the Temporal
 * servers are provisioned. Otherwise it says which package to install.
 */
export function provisionChromium({
  explicitPath,
  debianPath = debianChromium,
  mayInstall,
  log = () => undefined,
}: ChromiumOptions = {}): string {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`CHROMIUM_PATH=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  if (isExecutable(debianPath)) return debianPath;
  const aptGet = onPath('apt-get');
  const canInstall = mayInstall ?? (process.getuid?.() === 0 && aptGet !== undefined);
  if (!canInstall || !aptGet) {
    throw new Error(
      `The browser tests need Chromium at ${debianPath}: install Debian's package "${chromiumPackage}" ` +
        `(apt-get install ${chromiumPackage}, as root), or set CHROMIUM_PATH to a Chromium executable.`,
    );
  }
  log(`Installing Debian's ${chromiumPackage} with apt-get; this happens once per machine...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runBuild(aptGet, ['update', '-qq'], { env });
  runBuild(aptGet, ['install', '-y', '-qq', '--no-install-recommends', chromiumPackage], { env });
  if (!isExecutable(debianPath)) throw new Error(`apt-get installed ${chromiumPackage} but ${debianPath} is missing`);
  return debianPath;
}
