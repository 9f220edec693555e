import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { onPath } from '../wiring/provision/executables.js';

const ticksPerSecond = 100;

/** user + system CPU seconds of a process; with `children`, also of its children that ended (a postmaster's backends). */
function cpuSeconds(pid: number, children = false): number {
  try {
    // Fields after the command, which may hold spaces: state is the 3rd; utime, stime, cutime, cstime the 14th to 17th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
    return (utime + stime + (children ? cutime + cstime : 0)) / ticksPerSecond;
  } catch {
    return 0;
  }
}

const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);

/** CPU seconds of a PostgreSQL cluster so far: its postmaster, its live processes and those that ended. */
export function clusterCpuSeconds(postmasterPid: number): number {
  let total = cpuSeconds(postmasterPid, true);
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmasterPid) continue;
    try {
      if (parentOf(pid) === postmasterPid) total += cpuSeconds(pid);
    } catch {
      // Ended while we looked: its CPU is in the postmaster's children's.
    }
  }
  return total;
}

export const processCpuSeconds = (pid: number) => cpuSeconds(pid);

/** CPU seconds of this process and of the children it waited for (wrk, run with spawnSync). */
export const ownCpuSeconds = () => cpuSeconds(process.pid, true);

/** Busy CPU seconds of the whole machine so far, all cores (user, nice, system, irq, softirq, steal in /proc/stat). */
export function machineCpuSeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
  return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
}

/** The postmaster of the cluster a backend belongs to. */
export const postmasterOf = (backendPid: number) => parentOf(backendPid);

interface Connection {
  host: string;
  port: string;
  user: string;
  env: NodeJS.ProcessEnv;
}

function connectionOf(url: string): Connection {
  const target = new URL(url);
  return {
    host: target.hostname,
    port: target.port || '5432',
    user: decodeURIComponent(target.username),
    env: { ...process.env, PGPASSWORD: decodeURIComponent(target.password) },
  };
}

/** pgbench's tables at scale 10 in a database `pgbench` of the cluster; false without pgbench on PATH. */
export async function preparePgbench(url: string): Promise<boolean> {
  const binary = onPath('pgbench');
  if (!binary) return false;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('DROP DATABASE IF EXISTS pgbench');
    await admin.query('CREATE DATABASE pgbench');
  } finally {
    await admin.end();
  }
  const { host, port, user, env } = connectionOf(url);
  const result = spawnSync(binary, ['-h', host, '-p', port, '-U', user, '-i', '-q', '-s', '10', 'pgbench'], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pgbench -i failed: ${result.stderr}`);
  return true;
}

/** pgbench's built-in simple-update at `clients` for `seconds`: its tps. */
export function pgbenchTps(url: string, clients: number, seconds: number): number {
  const { host, port, user, env } = connectionOf(url);
  const result = spawnSync(
    onPath('pgbench')!,
    ['-h', host, '-p', port, '-U', user, '-n', '-b', 'simple-update', '-c', String(clients), '-j', String(Math.min(clients, 2))].concat([
      '-T',
      String(seconds),
      'pgbench',
    ]),
    { env, encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(result.stdout ?? '');
  if (!tps) throw new Error(`pgbench failed: ${result.stderr}`);
  return Number(tps[1]);
}
