import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../wiring/config.js';
import { provisionTemporalCli } from '../../wiring/provision/temporal-cli.js';
import { provisionTemporalTestServer } from '../../wiring/provision/temporal-test-server.js';
import { bundleWorkflows } from '../../workflows/worker.js';

// Workers' state changes are noise in test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

const config = loadConfig();
const log = (line: string) => console.log(line);

/** The dev server from the provisioned `temporal` CLI (or the SDK's download where none is found). */
export function startDevServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalCli({ cacheDir: config.cacheDir, explicitPath: config.temporalCli, log });
  return TestWorkflowEnvironment.createLocal({
    server: { ip: '127.0.0.1', executable: path ? { type: 'existing-path', path } : undefined },
  });
}

/** The time-skipping test server: the Java one provisioned from Maven (or the SDK's download). */
export function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const path = provisionTemporalTestServer({ cacheDir: config.cacheDir, explicitPath: config.temporalTestServer, log });
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: path ? { type: 'existing-path', path } : undefined },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling the workflows takes seconds: do it once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}
