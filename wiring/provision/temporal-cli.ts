import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath, runBuild } from './executables.js';

/** The last tag `go install` accepts: later ones carry a `replace` directive it refuses. */
export const temporalCliModule = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface TemporalCliOptions {
  cacheDir: string;
  /** TEMPORAL_CLI: an explicit path wins over everything else. */
  explicitPath?: string;
  log?: (line: string) => void;
}

/**
 * Finds the `temporal` CLI (development server with its Web UI) or builds it with Go into the
 * cache shared by every clone. Undefined means neither worked: the SDK downloads its own.
 */
export function provisionTemporalCli({ cacheDir, explicitPath, log = () => undefined }: TemporalCliOptions): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`TEMPORAL_CLI=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  const installed = onPath('temporal');
  if (installed) return installed;
  const cached = join(cacheDir, 'bin', 'temporal');
  if (isExecutable(cached)) return cached;
  const go = onPath('go');
  if (!go) return undefined;

  log(`Building the Temporal CLI with Go (${temporalCliModule}); this happens once per machine...`);
  mkdirSync(join(cacheDir, 'bin'), { recursive: true });
  runBuild(go, ['install', temporalCliModule], {
    cwd: cacheDir,
    env: { ...process.env, GOBIN: join(cacheDir, 'bin'), GOFLAGS: '-mod=mod' },
  });
  return cached;
}
