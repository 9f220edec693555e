import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath, runBuild } from './executables.js';

/** Versity's S3 gateway over a plain folder: a real S3 server for the receipt image bucket's tests. */
export const versitygwModule = 'github.com/versity/versitygw/cmd/versitygw@v1.8.0';

export interface VersitygwOptions {
  cacheDir: string;
  /** VERSITYGW_PATH: an explicit path wins over everything else. */
  explicitPath?: string;
  /** Whether a missing gateway is built with Go (`npm run provision`); tests only find it, offline. */
  build: boolean;
  log?: (line: string) => void;
}

/** Finds `versitygw` or builds it with Go into the cache shared by every clone; undefined when neither worked. */
export function provisionVersitygw({ cacheDir, explicitPath, build, log = () => undefined }: VersitygwOptions): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`VERSITYGW_PATH=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  const installed = onPath('versitygw');
  if (installed) return installed;
  const cached = join(cacheDir, 'bin', 'versitygw');
  if (isExecutable(cached)) return cached;
  const go = onPath('go');
  if (!build || !go) return undefined;

  log(`Building Versity's S3 gateway with Go (${versitygwModule}); this happens once per machine...`);
  mkdirSync(join(cacheDir, 'bin'), { recursive: true });
  runBuild(go, ['install', versitygwModule], {
    cwd: cacheDir,
    env: { ...process.env, GOBIN: join(cacheDir, 'bin'), GOFLAGS: '-mod=mod' },
  });
  return cached;
}
