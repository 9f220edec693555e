import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { portalRouter } from '../portal/portal-router.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/**
 * Behind a TLS-terminating proxy (TRUST_PROXY), every request comes from the proxy's address: the
 * per-network limit on sign-in requests must count the client the proxy names, not the proxy.
 */
let db: TestDatabase;
let mail: RunningMailSink;
const servers: Server[] = [];
const sms = createSmppSender('smpp://t:t@127.0.0.1:9', 'Tessera');

beforeAll(async () => {
  db = await createTestDatabase();
  mail = await startMailSink(mkdtempSync(join(tmpdir(), 'proxy-mail-')));
}, 60_000);
afterAll(async () => {
  for (const server of servers) server.close();
  sms.close();
  await mail?.stop();
  await db?.drop();
});

async function serve(trustProxy?: string): Promise<string> {
  // Only emails are asked for: the SMS sender is never used.
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), sms),
  };
  const server = createWebApp({
    health: {},
    api: { dataSource: db.dataSource, ledger: new Ledger(db.dataSource) },
    portal: portalRouter({ dataSource: db.dataSource, codes, publicUrl: 'http://127.0.0.1', signInRequestsPerWindow: 2 }),
    trustProxy,
  }).listen(0);
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const askFrom = (base: string, client: string, address: string) =>
  fetch(`${base}/member/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, 'x-forwarded-for': client },
    body: new URLSearchParams({ address }),
    redirect: 'manual',
  }).then((response) => response.status);

describe('sign-in limits behind a proxy', () => {
  it('counts each client the trusted proxy names on its own', async () => {
    const base = await serve('loopback');
    expect([await askFrom(base, '203.0.113.1', 'a1@example.test'), await askFrom(base, '203.0.113.1', 'a2@example.test')]).toEqual([
      303, 303,
    ]);
    expect(await askFrom(base, '203.0.113.1', 'a3@example.test')).toBe(429);
    // Another client through the same proxy is not held back by the first.
    expect(await askFrom(base, '203.0.113.2', 'b1@example.test')).toBe(303);
  });

  it('ignores what a client says it is forwarded for when no proxy is trusted', async () => {
    const base = await serve();
    await askFrom(base, '203.0.113.1', 'c1@example.test');
    await askFrom(base, '203.0.113.2', 'c2@example.test');
    // A client cannot dodge the limit by naming another address.
    expect(await askFrom(base, '203.0.113.3', 'c3@example.test')).toBe(429);
  });
});
