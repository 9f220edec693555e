import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDataSource } from '../../wiring/database.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../wiring/embedded/postgres.js';
import { provisionChromium } from '../../wiring/provision/chromium.js';
import { adminBundleFolder } from './admin-bundle-folder.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database holding the migrated schema, the template every test database copies. */
    templateDatabaseUrl: string;
    /** Chromium for the browser tests, or why there is none. */
    chromium: { path: string } | { missing: string };
    /** Where the first test file to run a worker leaves the workflows' bundle for the others. */
    workflowBundleFile: string;
  }
}

let cluster: RunningPostgres | undefined;
let workflowBundleFolder: string | undefined;

/** One throwaway PostgreSQL for the run; each test file copies the migrated template database. */
export async function setup(project: TestProject) {
  const base = process.env.DATABASE_URL;
  let url: string;
  if (base) {
    url = base;
  } else {
    cluster = await startEmbeddedPostgres({ throwaway: true, database: 'tessera_template' });
    url = cluster.url;
  }
  const dataSource = await openDataSource(url);
  await dataSource.destroy();
  project.provide('templateDatabaseUrl', url);
  project.provide('chromium', chromium());
  // The run's own folder: two runs in one worktree do not read each other's bundle.
  workflowBundleFolder = mkdtempSync(join(tmpdir(), 'tessera-workflows-'));
  const workflowBundleFile = join(workflowBundleFolder, 'workflows.json');
  project.provide('workflowBundleFile', workflowBundleFile);
  // A rerun in watch mode may follow a change to a workflow.
  project.onTestsRerun(() => rmSync(workflowBundleFile, { force: true }));
  await bundleComponentsOnce();
}

export async function teardown() {
  await cluster?.stop();
  if (workflowBundleFolder) rmSync(workflowBundleFolder, { recursive: true, force: true });
}

/**
 * Every browser test file starts its own back office on the shared bundle folder: built here once,
 * the first page of each finds it, where each would otherwise build it (some seconds of CPU) on its
 * first page, under the other files' load.
 */
async function bundleComponentsOnce() {
  process.env.ADMIN_JS_TMP_DIR = adminBundleFolder;
  const { bundleBackOfficeComponents } = await import('../../admin/components.js');
  await bundleBackOfficeComponents();
}

/** The browser is provisioned like the Temporal servers: found, or installed once when root may. */
function chromium(): { path: string } | { missing: string } {
  try {
    return { path: provisionChromium({ explicitPath: process.env.CHROMIUM_PATH, log: (line) => console.log(line) }) };
  } catch (error) {
    return { missing: error instanceof Error ? error.message : String(error) };
  }
}
