import { provisionDebianExecutable, type DebianExecutableOptions } from './debian-package.js';

/** Debian's package: `npm run bench:api` loads the API with it, a native generator off Node's event loop. */
export const wrkPackage = 'wrk';
export const debianWrk = '/usr/bin/wrk';

/** Finds Debian's wrk, or installs it with apt-get when running as root, as Chromium is. */
export function provisionWrk(options: DebianExecutableOptions = {}): string {
  return provisionDebianExecutable(
    {
      packageName: wrkPackage,
      debianPath: debianWrk,
      envVar: 'WRK_PATH',
      neededBy: 'The API benchmark needs wrk',
      executableName: 'a wrk executable',
    },
    options,
  );
}
