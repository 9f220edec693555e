import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';

/** Where tests keep screenshots for people to look at. */
export const artifactsDir = join(process.cwd(), 'test-artifacts');

/**
 * Debian's Chromium, headless, with a new empty profile and no calls to the outside; a `locale`
 * and `timezoneId` make it read pages as a person there would. The profile (some 340 MB once pages
 * have run) is deleted when the browser closes: left behind, a few suites filled the disk.
 */
export async function launchBrowser(options: { locale?: string; timezoneId?: string } = {}): Promise<BrowserContext> {
  mkdirSync(artifactsDir, { recursive: true });
  const provisioned = inject('chromium');
  if ('missing' in provisioned) throw new Error(provisioned.missing);
  const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: provisioned.path,
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // Chromium's helpers may still be writing for a moment after it closes: retry on ENOTEMPTY.
  const close = browser.close.bind(browser);
  browser.close = async (options) => {
    await close(options);
    await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  return browser;
}

/** A new page signed in to the back office as `email`, on its dashboard. */
export async function signInToBackOffice(browser: BrowserContext, base: string, email: string, password: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${base}/admin/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL(`${base}/admin`);
  return page;
}

/**
 * Lets a drawn page finish its requests before a screenshot. A page still busy after a few seconds
 * is shot as it is: on two loaded cores a 30 s wait for network silence failed a CI run on a page
 * that was already drawn, and the assertions after it read what they need from the page itself.
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
}
