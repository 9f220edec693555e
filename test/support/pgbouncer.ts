import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../wiring/free-port.js';
import { provisionPgbouncer } from '../../wiring/provision/pgbouncer.js';

export interface RunningPgbouncer {
  /** DATABASE_URL through the pooler: same user, password and database as the upstream URL. */
  url: string;
  /** What it logged, for a failure's report. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's PgBouncer in transaction mode in front of `upstreamUrl`, on a free port, with its
 * configuration and user list in a folder of its own (removed when stopped). `serverPoolSize`
 * server connections serve every client, as in production where it is far below the clients' pools.
 * `timezone` is what its server connections are set to (UTC, as the product needs, unless a test says otherwise).
 */
export async function startPgbouncer(
  upstreamUrl: string,
  options: { serverPoolSize?: number; timezone?: string } = {},
): Promise<RunningPgbouncer> {
  const binary = provisionPgbouncer({ explicitPath: process.env.PGBOUNCER_PATH, log: (line) => console.log(line) });
  const upstream = new URL(upstreamUrl);
  const user = decodeURIComponent(upstream.username);
  const password = decodeURIComponent(upstream.password);
  const database = upstream.pathname.slice(1);
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'tessera-pgbouncer-'));
  const config = join(directory, 'pgbouncer.ini');
  const quoted = (value: string) => `"${value.replaceAll('"', '""')}"`;
  writeFileSync(join(directory, 'userlist.txt'), `${quoted(user)} ${quoted(password)}\n`);
  writeFileSync(
    config,
    [
      '[databases]',
      // The product counts days in UTC: server connections are set to it here, as production's pooler must.
      `${database} = host=${upstream.hostname} port=${upstream.port} dbname=${database} timezone=${options.timezone ?? 'UTC'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${join(directory, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.serverPoolSize ?? 20}`,
      'max_client_conn = 1000',
      'idle_transaction_timeout = 60',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: it runs as PostgreSQL's user then, which must read its files.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(directory, 0o755);
    const owner = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    for (const file of ['pgbouncer.ini', 'userlist.txt']) execFileSync('chown', [String(owner), join(directory, file)]);
  }
  const child: ChildProcess = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const listening = () => output.includes('listening on') && resolve();
    child.stdout!.on('data', listening);
    child.stderr!.on('data', listening);
    child.once('exit', (code) => reject(new Error(`PgBouncer exited with ${code}:\n${output}`)));
  });
  upstream.host = `127.0.0.1:${port}`;
  return {
    url: upstream.toString(),
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
