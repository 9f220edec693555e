import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from './embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from './embedded/sms-sink.js';
import { inboxRouter } from './inbox-page.js';

let mailSink: RunningMailSink;
let smsSink: RunningSmsSink;
let server: Server;
let base: string;

beforeAll(async () => {
  [mailSink, smsSink] = await Promise.all([
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
  ]);
  server = express()
    .use(inboxRouter({ mail: mailSink.directory, sms: smsSink.directory }))
    .listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await Promise.all([mailSink?.stop(), smsSink?.stop()]);
});

it('lists the text messages the SMPP sink received beside the mail', async () => {
  const mailer = createMailer(mailSink.smtpUrl, 'Tessera <no-reply@tessera.test>');
  const sms = createSmppSender(smsSink.smsUrl, 'Tessera');
  try {
    await mailer.send({ to: 'ana@members.test', subject: 'Welcome to Tessera', text: 'Hello Ana' });
    await sms.send({ to: '+33612345678', text: 'Votre code : 123456 <b>à bientôt</b> 😊' });
  } finally {
    mailer.close();
    sms.close();
  }

  const page = await fetch(`${base}/inbox`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('Welcome to Tessera');
  expect(html).toContain('<h2>Text messages (1)</h2>');
  expect(html).toMatch(/<td>\+33612345678<\/td><td>Votre code : 123456 &lt;b&gt;à bientôt&lt;\/b&gt; 😊<\/td>/);

  const texts = await (await fetch(`${base}/inbox/sms.json`)).json();
  expect(texts).toMatchObject([{ from: 'Tessera', to: '+33612345678', text: 'Votre code : 123456 <b>à bientôt</b> 😊', segments: 1 }]);
  expect(new Date(texts[0].receivedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  expect(await (await fetch(`${base}/inbox.json`)).json()).toMatchObject([{ subject: 'Welcome to Tessera' }]);
});
