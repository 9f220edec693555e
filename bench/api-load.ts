import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { onPath } from '../wiring/provision/executables.js';
import { provisionWrk } from '../wiring/provision/wrk.js';
import { clusterCpuSeconds, machineCpuSeconds, ownCpuSeconds, processCpuSeconds } from './api-measure.js';

/** The partner API in its own process (bench/api-server.ts), as `npm run bench:api` and `bench:growth` measure it. */
export interface ApiProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export async function startApiProcess(url: string, poolSize: number): Promise<ApiProcess> {
  const server = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=test-artifacts/profiles'] : []),
      '--import',
      'tsx',
      fileURLToPath(new URL('./api-server.ts', import.meta.url)),
    ],
    {
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', BENCH_POOL_SIZE: String(poolSize) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port: number = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`the API process ended (${code}) before it listened`)));
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
  });
  return {
    port,
    pid: server.pid!,
    stop: async () => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    },
  };
}

interface WrkResult {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

export interface EventsLoad extends WrkResult {
  eventsPerSecond: number;
  apiMsPerEvent: number;
  pgMsPerEvent: number;
  otherCores: number;
}

const wrk = provisionWrk({ explicitPath: process.env.WRK_PATH, log: (line) => console.log(line) });
export const cores = os.cpus().length;
const taskset = cores >= 2 ? onPath('taskset') : undefined;
/** With two cores or more, wrk runs on the last one, away from the first, where the kernel schedules PostgreSQL and the API first. */
export const wrkCore = taskset ? cores - 1 : undefined;

/**
 * One wrk run of api-events.lua (its environment: `script`) against the API; the CPU the API
 * process and PostgreSQL spent during it, and what the rest of the machine did meanwhile (busy CPU
 * of all cores less the API, PostgreSQL, this process and wrk): a run next to other work measures
 * the other work too.
 */
export function loadEvents(options: {
  api: ApiProcess;
  postmaster: number;
  connections: number;
  seconds: number;
  script: Record<string, string>;
}): EventsLoad {
  const script = fileURLToPath(new URL('./api-events.lua', import.meta.url));
  const args = ['-t', '1', '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '-s', script];
  args.push(`http://127.0.0.1:${options.api.port}`);
  const [command, commandArgs] = taskset ? [taskset, ['-c', String(wrkCore), wrk, ...args]] : [wrk, args];
  const apiBefore = processCpuSeconds(options.api.pid);
  const pgBefore = clusterCpuSeconds(options.postmaster);
  const ownBefore = ownCpuSeconds();
  const machineBefore = machineCpuSeconds();
  const run = spawnSync(command, commandArgs, { encoding: 'utf8', env: { ...process.env, ...options.script } });
  const api = processCpuSeconds(options.api.pid) - apiBefore;
  const pg = clusterCpuSeconds(options.postmaster) - pgBefore;
  const other = machineCpuSeconds() - machineBefore - api - pg - (ownCpuSeconds() - ownBefore);
  const line = /^RESULT (.*)$/m.exec(run.stdout ?? '');
  if (!line) throw new Error(`wrk failed: ${run.stderr}${run.stdout}`);
  const result = JSON.parse(line[1]!) as WrkResult;
  return {
    ...result,
    eventsPerSecond: result.requests / result.seconds,
    apiMsPerEvent: (api * 1000) / result.requests,
    pgMsPerEvent: (pg * 1000) / result.requests,
    otherCores: Math.max(0, other) / result.seconds,
  };
}
