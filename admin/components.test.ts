import { mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropStaleComponentsBundle } from './components.js';

describe('the components bundle outside production', () => {
  let folder: string;
  let kept: string | undefined;
  beforeEach(() => {
    kept = process.env.ADMIN_JS_TMP_DIR;
    folder = mkdtempSync(join(tmpdir(), 'tessera-bundle-'));
    process.env.ADMIN_JS_TMP_DIR = folder;
  });
  afterEach(() => {
    process.env.ADMIN_JS_TMP_DIR = kept;
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps a bundle built after every component, so a second server does not delete the first one’s', () => {
    writeFileSync(join(folder, 'bundle.js'), '/* built */');
    dropStaleComponentsBundle();
    expect(existsSync(join(folder, 'bundle.js'))).toBe(true);
  });

  it('drops a bundle older than a component, so the next page rebuilds it with the change', () => {
    writeFileSync(join(folder, 'bundle.js'), '/* built */');
    utimesSync(join(folder, 'bundle.js'), new Date('2020-01-01'), new Date('2020-01-01'));
    dropStaleComponentsBundle();
    expect(existsSync(join(folder, 'bundle.js'))).toBe(false);
  });
});
