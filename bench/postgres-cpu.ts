import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the PostgreSQL cluster has used so far: the postmaster's own and its reaped
 * children's, plus every live child's (backends, WAL writer, checkpointer...). Read from /proc, so
 * only for a cluster on this machine; undefined otherwise.
 */
export type PostgresCpu = () => number | undefined;

export async function postgresCpu(dataSource: DataSource): Promise<PostgresCpu> {
  let postmaster: number | undefined;
  try {
    const [{ data_directory: directory }] = await dataSource.query('SHOW data_directory');
    postmaster = Number(readFileSync(join(directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return () => undefined;
  }
  return () => {
    const own = statFields(postmaster!);
    if (!own) return undefined;
    // Fields after the name: 2 = ppid (index 1), 14-17 = utime, stime, cutime, cstime (indexes 11-14).
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fields = statFields(Number(entry));
      if (fields && Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks / ticksPerSecond;
  };
}
