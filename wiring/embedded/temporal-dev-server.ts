import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { preferredPort } from '../free-port.js';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface TemporalDevServerOptions {
  /** Path of the `temporal` CLI; undefined lets the SDK download one (needs internet). */
  cli?: string;
  /** Folder for the SQLite file that keeps workflows across restarts. */
  dataDir: string;
  namespace: string;
  onLog?: (line: string) => void;
}

async function waitUntilReachable(address: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal dev server did not answer at ${address}: ${String(lastError)}`);
}

/** Runs `temporal server start-dev` with its Web UI, keeping its state in the data folder. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<RunningTemporal> {
  mkdirSync(options.dataDir, { recursive: true });
  // Temporal's usual ports when they are free, so the UI keeps its address across restarts.
  const port = await preferredPort(7233);
  const uiPort = await preferredPort(8233);
  const dbFile = join(options.dataDir, 'temporal.sqlite');
  if (!options.cli) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { ip: '127.0.0.1', port, ui: true, uiPort, dbFilename: dbFile, namespace: options.namespace },
    });
    return {
      address: `127.0.0.1:${port}`,
      uiUrl: `http://127.0.0.1:${uiPort}`,
      stop: () => env.teardown(),
    };
  }
  const child = spawn(
    options.cli,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--db-filename',
      dbFile,
      '--namespace',
      options.namespace,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = options.onLog ?? (() => undefined);
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilReachable(address, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        // A Ctrl-C in the terminal reaches the server too: it may already be gone.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
