import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createSmppSender } from '../reports/sms-sender.js';

const dataDir = mkdtempSync(join(tmpdir(), 'tessera-start-'));
// As root, PostgreSQL runs as the `postgres` user, who must be able to enter the data folder.
chmodSync(dataDir, 0o755);
/** Process groups started and not yet stopped: a failed assertion must not leave `npm start` running. */
const running = new Set<number>();
afterAll(() => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  urls: Record<string, string>;
}

/** Runs `npm start` as a user would, on embedded services, until it prints its URLs. */
function npmStart(): Promise<Started> {
  const child = spawn('npm', ['start'], {
    env: {
      ...process.env,
      TESSERA_DATA_DIR: dataDir,
      PORT: '0',
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      SMTP_URL: '',
      SMS_URL: '',
      LOG_LEVEL: 'warn',
      ADMIN_JS_TMP_DIR: join(dataDir, 'adminjs'),
      // The fake supplier ships at once, so that a redemption completes within the test.
      FAKE_SUPPLIER_SHIP_SECONDS: '1',
      FULFILMENT_POLL_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child.pid!);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 150_000);
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
    const poll = setInterval(() => {
      if (!output.includes('Press Ctrl-C to stop.')) return;
      clearInterval(poll);
      clearTimeout(timer);
      const url = (label: string) => new RegExp(`${label}\\s+(http://\\S+)`).exec(output)?.[1] ?? '';
      resolve({
        child,
        output: () => output,
        urls: {
          admin: url('Back office'),
          api: url('Partner API'),
          health: url('Health'),
          temporal: url('Temporal UI'),
          inbox: url('Inbox'),
          member: url('Members'),
        },
      });
    }, 200);
  });
}

/** Processes still running on the test's data folder (postgres -D ..., temporal --db-filename ...). */
function leftovers(): string {
  return spawnSync('pgrep', ['-af', dataDir], { encoding: 'utf8' }).stdout.trim();
}

/** Ctrl-C: SIGINT to the whole process group, as a terminal sends it; resolves once all is stopped. */
async function stop({ child, output }: Started): Promise<void> {
  child.removeAllListeners('exit');
  process.kill(-child.pid!, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while ((child.exitCode === null && child.signalCode === null) || leftovers() !== '') {
    if (Date.now() > deadline) throw new Error(`still running after Ctrl-C:\n${leftovers()}\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  running.delete(child.pid!);
  expect(output()).not.toMatch(/stopping .* failed/);
}

it('starts the whole product on embedded services, healthy and seeded, stops on Ctrl-C and restarts on its data', async () => {
  const first = await npmStart();
  expect(first.output()).toMatch(/Demo program\s+seeded on this start/);
  expect(first.output()).toMatch(/operator@tessera\.demo\s+operator_admin/);
  expect(first.output()).toMatch(/partner@tessera\.demo\s+partner_user of koffie-corner/);

  const health = await fetch(first.urls.health!);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({
    status: 'ok',
    components: { database: { ok: true }, temporal: { ok: true }, smtp: { ok: true }, sms: { ok: true } },
  });
  expect((await fetch(first.urls.admin!)).status).toBe(200);
  expect(await (await fetch(first.urls.api!)).json()).toMatchObject({ version: 'v1' });
  expect((await fetch(first.urls.inbox!)).status).toBe(200);
  // The SMPP sink takes a text over SMPP and the inbox shows it.
  const smsUrl = /Text messages\s+SMPP sink at (smpp:\/\/\S+)/.exec(first.output())?.[1];
  expect(smsUrl).toMatch(/^smpp:\/\/tessera:\w+@127\.0\.0\.1:\d+$/);
  const sms = createSmppSender(smsUrl!, 'Tessera');
  await sms.send({ to: '+33612345678', text: 'Hello from the npm start test' }).finally(() => sms.close());
  expect(await (await fetch(`${first.urls.inbox}/sms.json`)).json()).toMatchObject([
    { to: '+33612345678', text: 'Hello from the npm start test' },
  ]);
  expect((await fetch(first.urls.temporal!)).status).toBe(200);

  // The schedules are registered, as the Temporal UI lists them.
  const listed = await (await fetch(`${first.urls.temporal}/api/v1/namespaces/default/schedules`)).json();
  expect(listed.schedules.map((s: { scheduleId: string }) => s.scheduleId).sort()).toEqual([
    'birthdays-daily',
    'daily-figures',
    'funding-alerts',
    'ledger-audit-nightly',
    'outbox-sweep',
    'partition-maintenance-daily',
    'partner-reports-monthly',
    'partner-reports-weekly',
    'points-expiry-daily',
    'reactivation-daily',
    'settlement-monthly',
  ]);

  // A member redeems the tote bag (a physical reward) through the demo store's API key: it ships
  // and the member's email is in the inbox.
  const api = (path: string, body: object, headers: Record<string, string> = {}) =>
    fetch(`${first.urls.api}${path}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tk_koffiecorner_demo-key-not-for-production',
        'content-type': 'application/json',
        'idempotency-key': `npm-start-${path}`,
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const member = { externalId: 'start-test', email: 'start.test@members.demo', emailVerified: true };
  expect((await api('/events', { member, type: 'purchase', amountCents: 300_000, currency: 'EUR' })).status).toBe(201);
  // The member agrees at the checkout with the code the store had sent them.
  expect((await api('/members/start-test/spending-codes', {})).status).toBe(201);
  const inbox = async () => (await (await fetch(`${first.urls.inbox}.json`)).json()) as { to: string; subject: string }[];
  const code = /(\d{6})$/.exec((await inbox()).find((m) => m.to.includes(member.email))!.subject)![1]!;
  const redemption = await api('/members/start-test/redemptions', { reward: 'tote-bag' }, { 'member-authorization': `Code ${code}` });
  expect(await redemption.json()).toMatchObject({ status: 'awaiting_fulfilment', points: 2_500 });
  await expect
    .poll(
      async () =>
        ((await (await fetch(`${first.urls.inbox}.json`)).json()) as { to: string; subject: string }[])
          .filter((m) => m.to.includes(member.email))
          .map((m) => m.subject),
      {
        timeout: 60_000,
        interval: 1_000,
      },
    )
    .toContain('Your reward is on its way: Tessera tote bag');

  // The demo member printed at the start signs in to their dashboard with the code from the inbox.
  const [, demoName, demo] = /sign in as (.*): (\S+);/.exec(first.output())! as unknown as [string, string, string];
  const form = (path: string, fields: Record<string, string>, cookie?: string) =>
    fetch(`${first.urls.member}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(first.urls.member!).origin,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    });
  expect((await form('/sign-in', { address: demo })).status).toBe(303);
  const signInCode = /(\d{6})$/.exec((await inbox()).find((m) => m.to.includes(demo) && m.subject.includes('sign-in'))!.subject)![1]!;
  const signedIn = await form('/sign-in/code', { address: demo, code: signInCode });
  expect(signedIn.status).toBe(303);
  const cookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
  const dashboard = await fetch(first.urls.member!, { headers: { cookie } });
  expect(await dashboard.text()).toContain(`Hello ${demoName}`);

  // The demo data and that redemption satisfy every ledger invariant (ledger:check finds the running cluster).
  const check = spawnSync('npm', ['run', '--silent', 'ledger:check'], {
    env: { ...process.env, TESSERA_DATA_DIR: dataDir, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  expect(check.stdout).toMatch(/Ledger check at .* \(full: 60 accounts, \d+ transfers\)\nAll invariants hold\./);
  expect(check.status).toBe(0);
  await stop(first);
  expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

  const second = await npmStart();
  expect(second.output()).toMatch(/Demo program\s+kept from an earlier start/);
  expect((await fetch(second.urls.health!)).status).toBe(200);
  await stop(second);
}, 400_000);
