import { provisionDebianExecutable, type DebianExecutableOptions } from './debian-package.js';

/** Debian's package: the browser tests drive it through playwright-core (never a downloaded browser). */
export const chromiumPackage = 'chromium';
export const debianChromium = '/usr/bin/chromium';

/**
 * Finds Debian's Chromium, or installs it with apt-get when running as root, as the Temporal
 * servers are provisioned. Otherwise it says which package to install.
 */
export function provisionChromium(options: DebianExecutableOptions = {}): string {
  return provisionDebianExecutable(
    {
      packageName: chromiumPackage,
      debianPath: debianChromium,
      envVar: 'CHROMIUM_PATH',
      neededBy: 'The browser tests need Chromium',
      executableName: 'a Chromium executable',
    },
    options,
  );
}
