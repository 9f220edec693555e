import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
};
const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
const services = compose.services;

it('runs PostgreSQL behind PgBouncer, Temporal with its UI, a mail catcher, and the web and worker processes', () => {
  expect(Object.keys(services).sort()).toEqual(['mailpit', 'pgbouncer', 'postgres', 'temporal', 'temporal-ui', 'web', 'worker']);
  expect(services.postgres!.image).toMatch(/^postgres:\d+/);
  expect(services.temporal!.image).toMatch(/^temporalio\//);
  expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui/);
  expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  expect(services.mailpit!.ports).toContain('1025:1025');
});

it('builds web and worker from the Dockerfile and runs scripts that exist', () => {
  expect(existsSync('Dockerfile')).toBe(true);
  for (const name of ['web', 'worker']) {
    const service = services[name]!;
    expect(service.build).toBe('.');
    const [npm, run, script] = service.command!;
    expect([npm, run]).toEqual(['npm', 'run']);
    expect(scripts[script!], `package.json script ${script}`).toBeDefined();
  }
  expect(services.web!.ports).toContain('3000:3000');
});

it('publishes no Temporal port and takes the session secret and the SMS account from the operator, never a placeholder', () => {
  expect(services.temporal!.ports ?? []).toEqual([]);
  expect(services.web!.environment!.SESSION_SECRET).toMatch(/^\$\{SESSION_SECRET:\?.+\}$/);
  for (const name of ['web', 'worker']) expect(services[name]!.environment!.SMS_URL).toMatch(/^\$\{SMS_URL:\?.+\}$/);
});

it('points web and worker at the compose services through the documented variables', () => {
  for (const name of ['web', 'worker']) {
    const env = services[name]!.environment!;
    const database = new URL(env.DATABASE_URL!);
    expect(database.hostname).toBe('pgbouncer');
    expect(new URL(env.DATABASE_DIRECT_URL!).hostname).toBe('postgres');
    expect(Object.keys(services)).toContain(env.TEMPORAL_ADDRESS!.split(':')[0]);
    expect(Object.keys(services)).toContain(new URL(env.SMTP_URL!).hostname);
    const postgres = services.postgres!.environment!;
    expect(database.username).toBe(postgres.POSTGRES_USER);
    expect(database.password).toBe(postgres.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(env.DATABASE_DIRECT_URL).toBe(
      `postgres://${postgres.POSTGRES_USER}:${postgres.POSTGRES_PASSWORD}@postgres:5432/${postgres.POSTGRES_DB}`,
    );
  }
});

it("pools in transaction mode, in UTC, with the processes' database user", () => {
  const ini = compose.configs['pgbouncer.ini']!.content;
  const postgres = services.postgres!.environment!;
  expect(ini).toMatch(/^pool_mode = transaction$/m);
  expect(ini).toMatch(new RegExp(`^${postgres.POSTGRES_DB} = host=postgres port=5432 dbname=${postgres.POSTGRES_DB} timezone=UTC$`, 'm'));
  expect(ini).toMatch(new RegExp(`^listen_port = ${new URL(services.web!.environment!.DATABASE_URL!).port}$`, 'm'));
  expect(compose.configs['pgbouncer-users']!.content.trim()).toBe(`"${postgres.POSTGRES_USER}" "${postgres.POSTGRES_PASSWORD}"`);
  expect(Number(ini.match(/^default_pool_size = (\d+)$/m)![1])).toBeLessThan(100);
});

it('fulfils rewards through a real supplier: the back office queue unless the operator configures an HTTP supplier, never the fake', () => {
  for (const name of ['web', 'worker']) {
    const env = services[name]!.environment!;
    expect(env.REWARD_SUPPLIER).toBe('${REWARD_SUPPLIER:-manual}');
    expect(env.SUPPLIER_URL).toBe('${SUPPLIER_URL:-}');
    expect(env.SUPPLIER_SECRET).toBe('${SUPPLIER_SECRET:-}');
    expect(Object.keys(env).filter((variable) => variable.startsWith('FAKE_SUPPLIER'))).toEqual([]);
  }
});
