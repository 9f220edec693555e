import { expect, it } from 'vitest';
import { provisionChromium } from './chromium.js';

it('finds the browser the tests run on (installed by the test setup when missing)', () => {
  expect(provisionChromium({ explicitPath: process.env.CHROMIUM_PATH })).toMatch(/chromium/);
});

it('names the Debian package to install when the browser is missing and this user cannot install it', () => {
  expect(() => provisionChromium({ debianPath: '/nonexistent/chromium', mayInstall: false })).toThrow(
    'install Debian\'s package "chromium" (apt-get install chromium, as root), or set CHROMIUM_PATH',
  );
  expect(() => provisionChromium({ explicitPath: '/nonexistent/chromium' })).toThrow(
    'CHROMIUM_PATH=/nonexistent/chromium is not an executable',
  );
});
