import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath, runBuild } from './executables.js';

export const temporalTestServerVersion = '1.31.0';

export interface TemporalTestServerOptions {
  cacheDir: string;
  /** TEMPORAL_TEST_SERVER: an explicit executable wins over everything else. */
  explicitPath?: string;
  log?: (line: string) => void;
}

const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tessera.provision</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${temporalTestServerVersion}</version>
    </dependency>
  </dependencies>
</project>
`;

// The SDK starts the server as `<executable> <port>`; the Java server needs the flag to skip time.
const wrapper = (classpathFile: string) => `#!/bin/sh
exec java -cp "$(cat '${classpathFile}')" io.temporal.testserver.TestServer "$@" --enable-time-skipping
`;

/**
 * Finds Temporal's time-skipping test server, or resolves the Java one from Maven and writes a
 * wrapper that stands in for the native binary the SDK would download. Undefined: let the SDK try.
 */
export function provisionTemporalTestServer({
  cacheDir,
  explicitPath,
  log = () => undefined,
}: TemporalTestServerOptions): string | undefined {
  if (explicitPath) {
    if (!isExecutable(explicitPath)) throw new Error(`TEMPORAL_TEST_SERVER=${explicitPath} is not an executable file`);
    return explicitPath;
  }
  const home = join(cacheDir, `temporal-test-server-${temporalTestServerVersion}`);
  const script = join(home, 'temporal-test-server');
  if (isExecutable(script)) return script;
  const mvn = onPath('mvn');
  if (!mvn || !onPath('java')) return undefined;

  log(`Resolving io.temporal:temporal-test-server:${temporalTestServerVersion} with Maven; this happens once per machine...`);
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), pom);
  const classpathFile = join(home, 'classpath.txt');
  runBuild(mvn, ['-q', '-B', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`], { cwd: home });
  if (!existsSync(classpathFile)) throw new Error('Maven did not write the test server classpath');
  const partial = `${script}.partial`;
  writeFileSync(partial, wrapper(classpathFile), { mode: 0o755 });
  renameSync(partial, script);
  return script;
}
