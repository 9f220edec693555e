import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import smpp from 'smpp';
import type { AddressInfo } from 'node:net';

export interface RunningSmsSink {
  /** What the SMS sender is given: `smpp://<system_id>:<password>@127.0.0.1:<port>`. */
  smsUrl: string;
  directory: string;
  stop(): Promise<void>;
}

export interface ReceivedSms {
  id: string;
  /** The sender id, or the sender's number in E.164. */
  from: string;
  /** The recipient, in E.164 when sent to an international number. */
  to: string;
  text: string;
  receivedAt: Date;
  /** How many submit_sm carried it (a long text comes in parts). */
  segments: number;
}

export interface SmsSinkOptions {
  port?: number;
  /** The account senders must bind with; a random password when not given. */
  systemId?: string;
  password?: string;
}

/** What the smpp package makes of a short_message or message_payload: the text, behind its user data header if any. */
interface DecodedMessage {
  udh?: Buffer[];
  message: string | Buffer;
}

interface Part {
  text: string;
  /** Where it belongs in a concatenated message; absent for a message in one part. */
  concatenation?: { reference: number; total: number; sequence: number };
}

const internationalTon = 0x01;

/** The part a submit_sm carries: its text and, when concatenated, which part of which message (UDH or SAR TLVs). */
function partOf(pdu: smpp.PDU): Part {
  const payload = (pdu.message_payload ?? pdu.short_message) as DecodedMessage | undefined;
  const text = typeof payload?.message === 'string' ? payload.message : '';
  for (const element of payload?.udh ?? []) {
    // Concatenation information elements: 8-bit reference (0x00) or 16-bit (0x08).
    if (element[0] === 0x00 && element.length === 5)
      return { text, concatenation: { reference: element[2]!, total: element[3]!, sequence: element[4]! } };
    if (element[0] === 0x08 && element.length === 6)
      return { text, concatenation: { reference: element.readUInt16BE(2), total: element[4]!, sequence: element[5]! } };
  }
  if (typeof pdu.sar_msg_ref_num === 'number') {
    return {
      text,
      concatenation: { reference: pdu.sar_msg_ref_num, total: Number(pdu.sar_total_segments), sequence: Number(pdu.sar_segment_seqnum) },
    };
  }
  return { text };
}

const address = (ton: unknown, digits: unknown) => `${ton === internationalTon ? '+' : ''}${String(digits)}`;

/**
 * A local SMSC that really speaks SMPP over TCP: it binds transmitters and transceivers with the
 * account it was started with, answers each submit_sm with a message id, joins the parts of a long
 * text, and keeps each message as a `.json` file, so that texts can be read back in development and tests.
 */
export async function startSmsSink(directory: string, options: SmsSinkOptions = {}): Promise<RunningSmsSink> {
  mkdirSync(directory, { recursive: true });
  const systemId = options.systemId ?? 'tessera';
  const password = options.password ?? randomBytes(4).toString('hex');
  const unfinished = new Map<string, (string | undefined)[]>();

  const keep = async (sms: Omit<ReceivedSms, 'id'>) => {
    const id = `${sms.receivedAt.toISOString().replaceAll(':', '-')}-${randomUUID()}`;
    // Written aside, then renamed: a reader never sees half a message.
    await writeFile(join(directory, `${id}.tmp`), JSON.stringify(sms));
    await rename(join(directory, `${id}.tmp`), join(directory, `${id}.json`));
  };

  /** The whole message once its last part arrived; undefined while parts are missing. */
  const assemble = (from: string, to: string, part: Part): { text: string; segments: number } | undefined => {
    if (!part.concatenation) return { text: part.text, segments: 1 };
    const { reference, total, sequence } = part.concatenation;
    const key = `${from}|${to}|${reference}|${total}`;
    const parts = unfinished.get(key) ?? Array.from({ length: total }, () => undefined);
    parts[sequence - 1] = part.text;
    if (parts.some((text) => text === undefined)) {
      unfinished.set(key, parts);
      return undefined;
    }
    unfinished.delete(key);
    return { text: parts.join(''), segments: total };
  };

  const server = smpp.createServer({}, (session) => {
    let bound = false;
    // A sender that goes away is not the sink's problem.
    session.on('error', () => undefined);
    session.on('pdu', (pdu: smpp.PDU) => {
      switch (pdu.command) {
        case 'bind_transmitter':
        case 'bind_transceiver': {
          const status = bound
            ? smpp.errors.ESME_RALYBND
            : pdu.system_id !== systemId
              ? smpp.errors.ESME_RINVSYSID
              : pdu.password !== password
                ? smpp.errors.ESME_RINVPASWD
                : 0;
          bound ||= status === 0;
          session.send(pdu.response({ system_id: 'tessera-sms-sink', command_status: status }));
          return;
        }
        case 'bind_receiver':
          // Nothing is ever delivered to Tessera: there is nothing to receive.
          session.send(pdu.response({ command_status: smpp.errors.ESME_RBINDFAIL }));
          return;
        case 'submit_sm': {
          if (!bound) {
            session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
            return;
          }
          const from = address(pdu.source_addr_ton, pdu.source_addr);
          const to = address(pdu.dest_addr_ton, pdu.destination_addr);
          const whole = assemble(from, to, partOf(pdu));
          const answer = () => session.send(pdu.response({ message_id: randomUUID() }));
          if (!whole) answer();
          // Answered once kept: a sender whose message was accepted finds it in the folder.
          else
            keep({ from, to, ...whole, receivedAt: new Date() }).then(answer, () =>
              session.send(pdu.response({ command_status: smpp.errors.ESME_RSYSERR })),
            );
          return;
        }
        case 'enquire_link':
          session.send(pdu.response());
          return;
        case 'unbind':
          session.send(pdu.response());
          session.close();
          return;
        default:
          if (!pdu.isResponse())
            session.send(
              new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: smpp.errors.ESME_RINVCMDID }),
            );
      }
    });
  });

  // Port 0 when none is asked for: the kernel's choice, which no other process can take in between.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const listenPort = (server.address() as AddressInfo).port;
  return {
    smsUrl: `smpp://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@127.0.0.1:${listenPort}`,
    directory,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of [...server.sessions]) session.destroy();
      }),
  };
}

/** The text messages an SMS sink folder holds, newest first. */
export async function readSmsInbox(directory: string): Promise<ReceivedSms[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  names.sort().reverse();
  return Promise.all(
    names.map(async (name) => {
      const stored = JSON.parse(await readFile(join(directory, name), 'utf8')) as Omit<ReceivedSms, 'id' | 'receivedAt'> & {
        receivedAt: string;
      };
      return { ...stored, id: name.replace(/\.json$/, ''), receivedAt: new Date(stored.receivedAt) };
    }),
  );
}
