import { isExecutable, onPath, runBuild } from './executables.js';

/** Debian's package: `npm run bench:api` loads the API with it, a native generator off Node's event loop. */
export const wrkPackage = 'wrk';
export const debianWrk = '/usr/bin/wrk';

export interface WrkOptions {
  /** WRK_PATH: an explicit path wins over everything else. */
  explicitPath?: string;
  debianPath?: string;
  /** Whether this process may install Debian packages (root with apt-get); checked when absent. */
  mayInstall?: boolean;
  log?: (line: string) => void;
}

/** Finds Debian's wrk, or installs it with apt-get when running as root, as Chromium is; otherwise says what to install. */
export function provisionWrk({ explicitPath, debianPath = debianWrk, mayInstall, log = () => undefined }: WrkOptions = {}): string {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`WRK_PATH=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  if (isExecutable(debianPath)) return debianPath;
  const aptGet = onPath('apt-get');
  const canInstall = mayInstall ?? (process.getuid?.() === 0 && aptGet !== undefined);
  if (!canInstall || !aptGet) {
    throw new Error(
      `The API benchmark needs wrk at ${debianPath}: install Debian's package "${wrkPackage}" ` +
        `(apt-get install ${wrkPackage}, as root), or set WRK_PATH to a wrk executable.`,
    );
  }
  log(`Installing Debian's ${wrkPackage} with apt-get; this happens once per machine...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runBuild(aptGet, ['update', '-qq'], { env });
  runBuild(aptGet, ['install', '-y', '-qq', '--no-install-recommends', wrkPackage], { env });
  if (!isExecutable(debianPath)) throw new Error(`apt-get installed ${wrkPackage} but ${debianPath} is missing`);
  return debianPath;
}
