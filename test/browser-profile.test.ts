import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, it } from 'vitest';
import { launchBrowser } from './support/browser.js';

const profiles = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('tessera-chromium-')));

it("leaves no browser profile behind once the browser is closed, so test runs do not fill the machine's disk", async () => {
  const before = profiles();
  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.setContent('<p>hello</p>');
  const created = [...profiles()].filter((name) => !before.has(name));
  expect(created).toHaveLength(1);
  await browser.close();
  expect(existsSync(`${tmpdir()}/${created[0]}`)).toBe(false);
});
