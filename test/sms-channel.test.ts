import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smpp from 'smpp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SentSms } from '../entities/index.js';
import { createRecordingSmsSender, createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { readSmsInbox, startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { freePort } from '../wiring/free-port.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

// Every message crosses SMPP over TCP: the sender binds to the local sink (or to a small SMSC of the
// test's own that misbehaves on purpose), and what the sink received is read back from its folder.
const account = { systemId: 'tessera', password: 'sms-pass' };
let sink: RunningSmsSink;
let db: TestDatabase;
const senders: SmsSender[] = [];
const smscs: smpp.Server[] = [];

beforeAll(async () => {
  [sink, db] = await Promise.all([startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-')), account), createTestDatabase()]);
});
afterAll(async () => {
  for (const sender of senders) sender.close();
  for (const smsc of smscs) {
    for (const session of [...smsc.sessions]) session.destroy();
    smsc.close();
  }
  await Promise.all([sink?.stop(), db?.drop()]);
});

function sender(smsUrl = sink.smsUrl, options?: { answerTimeoutMs?: number }): SmsSender {
  const created = createSmppSender(smsUrl, 'Tessera', options);
  senders.push(created);
  return created;
}

const received = async (to: string) => (await readSmsInbox(sink.directory)).filter((sms) => sms.to === to);

/** An SMSC that binds anyone, then answers each submit_sm with `status`, or never answers it. */
async function misbehavingSmsc(submitStatus: number | 'never'): Promise<string> {
  const smsc = smpp.createServer({}, (session) => {
    session.on('error', () => undefined);
    session.on('pdu', (pdu: smpp.PDU) => {
      if (pdu.command === 'bind_transmitter' || pdu.command === 'enquire_link') session.send(pdu.response());
      if (pdu.command === 'submit_sm' && submitStatus !== 'never') session.send(pdu.response({ command_status: submitStatus }));
    });
  });
  smscs.push(smsc);
  const port = await freePort();
  await new Promise<void>((resolve) => smsc.listen(port, '127.0.0.1', resolve));
  return `smpp://anyone:secret@127.0.0.1:${port}`;
}

it('delivers a short text, a 400-character text and texts outside the GSM alphabet whole, from the sender id', async () => {
  const sms = sender();
  await sms.verify();
  const long = 'Your balance: 1250 points. Offer [10€ off] until Sunday. '.repeat(8).slice(0, 400);
  const unicode = 'Votre code : 123456 — à bientôt 😊';
  const longUnicode = 'Merci ! ' + '😊'.repeat(40);
  await sms.send({ to: '+33612345601', text: 'Your Tessera code is 123456' });
  await sms.send({ to: '+33612345602', text: long });
  await sms.send({ to: '+33612345603', text: unicode });
  await sms.send({ to: '+33612345604', text: longUnicode });

  expect(await received('+33612345601')).toMatchObject([{ from: 'Tessera', text: 'Your Tessera code is 123456', segments: 1 }]);
  expect(long).toHaveLength(400);
  expect(await received('+33612345602')).toMatchObject([{ from: 'Tessera', text: long, segments: 3 }]);
  expect(await received('+33612345603')).toMatchObject([{ text: unicode, segments: 1 }]);
  expect(await received('+33612345604')).toMatchObject([{ text: longUnicode, segments: 2 }]);
});

it('refuses a wrong password with an error naming the refusal, and sends nothing', async () => {
  const wrong = sender(sink.smsUrl.replace(`:${account.password}@`, ':wrong@'));
  await expect(wrong.send({ to: '+33612345610', text: 'Hello' })).rejects.toThrow(
    /^The SMSC at 127\.0\.0\.1:\d+ refused the bind as tessera: ESME_RINVPASWD \(invalid password\)$/,
  );
  await expect(wrong.verify()).rejects.toThrow(/ESME_RINVPASWD \(invalid password\)/);
  expect(await received('+33612345610')).toEqual([]);
});

it('refuses a number that is not E.164 before connecting to anything', async () => {
  // Nothing listens there: a sender that tried to connect would fail otherwise.
  const unreachable = sender(`smpp://tessera:sms-pass@127.0.0.1:${await freePort()}`);
  await expect(unreachable.send({ to: '0612345678', text: 'Hello' })).rejects.toThrow(
    'Cannot send an SMS to "0612345678": not an E.164 phone number (a + and the country code, like +33612345678)',
  );
  await expect(unreachable.send({ to: '+33 6 12 34 56 78', text: 'Hello' })).rejects.toThrow(
    'Cannot send an SMS to "+33 6 12 34 56 78": not an E.164 phone number (write it +33612345678)',
  );
  for (const to of ['+1234', 'cust-42', ''])
    await expect(unreachable.send({ to, text: 'Hello' })).rejects.toThrow('not an E.164 phone number');
  await expect(unreachable.send({ to: '+33612345678', text: 'Hello' })).rejects.toThrow(/^Cannot reach the SMSC at 127\.0\.0\.1:\d+: /);
});

it('reconnects when the SMSC restarts: the next message is not lost', async () => {
  const sms = sender();
  await sms.send({ to: '+33612345620', text: 'Before the restart' });
  const port = Number(new URL(sink.smsUrl).port);
  await sink.stop();
  sink = await startSmsSink(sink.directory, { ...account, port });
  await sms.send({ to: '+33612345620', text: 'After the restart' });
  expect((await received('+33612345620')).map((sms) => sms.text)).toEqual(['After the restart', 'Before the restart']);

  await sink.stop();
  await expect(sms.send({ to: '+33612345620', text: 'While it is down' })).rejects.toThrow(`Cannot reach the SMSC at 127.0.0.1:${port}`);
  sink = await startSmsSink(sink.directory, { ...account, port });
  await sms.send({ to: '+33612345620', text: 'Back up' });
  expect((await received('+33612345620')).map((sms) => sms.text)).toEqual(['Back up', 'After the restart', 'Before the restart']);
});

it('fails a message the SMSC refuses, naming the status, and one it does not answer', async () => {
  const refusing = sender(await misbehavingSmsc(smpp.errors.ESME_RMSGQFUL!));
  await expect(refusing.send({ to: '+33612345630', text: 'Hello' })).rejects.toThrow(
    /^The SMSC at 127\.0\.0\.1:\d+ refused submit_sm: ESME_RMSGQFUL \(message queue full\)$/,
  );
  const silent = sender(await misbehavingSmsc('never'), { answerTimeoutMs: 300 });
  await expect(silent.send({ to: '+33612345630', text: 'Hello' })).rejects.toThrow(
    /^The SMSC at 127\.0\.0\.1:\d+ did not answer submit_sm within 300 ms$/,
  );
});

it('keeps a copy of every SMS it sent, and none of one it could not send', async () => {
  const recording = createRecordingSmsSender(sink.smsUrl, 'Tessera', db.dataSource);
  senders.push(recording);
  const memberId = randomUUID();
  await recording.send({ to: '+33612345640', text: 'Your Tessera code is 654321', memberId });
  await recording.send({ to: '+33612345641', text: 'Welcome to Tessera' });
  await expect(recording.send({ to: '06 12 34 56 42', text: 'Lost' })).rejects.toThrow('not an E.164 phone number');

  const copies = await db.dataSource.manager.find(SentSms, { order: { sentAt: 'ASC' } });
  expect(copies).toMatchObject([
    { to: '+33612345640', text: 'Your Tessera code is 654321', memberId },
    { to: '+33612345641', text: 'Welcome to Tessera', memberId: null },
  ]);
  expect(copies[0]!.sentAt).toBeInstanceOf(Date);
  expect(await received('+33612345640')).toMatchObject([{ text: 'Your Tessera code is 654321' }]);
});
