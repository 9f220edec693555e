import { randomInt } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { DataSource } from 'typeorm';
import { SentSms } from '../entities/index.js';
import { bindTransmitter, SmppConnectionLost, type SmppLink, type SmppTimeouts } from './smpp-link.js';
import { splitSms } from './sms-segments.js';
import { parseSmsUrl } from './sms-url.js';

export interface SmsMessage {
  /** The recipient's number in E.164: `+33612345678`. */
  to: string;
  text: string;
  /** The member it is for, when known: kept with the copy of what was sent. */
  memberId?: string;
}

export interface SmsSender {
  send(message: SmsMessage): Promise<void>;
  /** Binds to the SMSC if not bound and asks it for a sign of life: what /health asks. */
  verify(): Promise<void>;
  close(): void;
}

// SMPP type of number and numbering plan of the addresses Tessera sends from and to.
const ton = { unknown: 0x00, international: 0x01, alphanumeric: 0x05 };
const npi = { unknown: 0x00, isdn: 0x01 };
/** esm_class bit: the short message starts with a user data header (here, the concatenation header). */
const udhIndicator = 0x40;

/** The recipient's number as SMPP carries it; refuses anything but a valid number written in E.164. */
function destination(to: string): string {
  const number = parsePhoneNumberFromString(to);
  if (!number?.isValid())
    throw new Error(`Cannot send an SMS to "${to}": not an E.164 phone number (a + and the country code, like +33612345678)`);
  if (number.number !== to) throw new Error(`Cannot send an SMS to "${to}": not an E.164 phone number (write it ${number.number})`);
  return to.slice(1);
}

/** SMS_FROM as SMPP's source address: a number in E.164, a short code, or a name of up to 11 characters. */
function source(from: string) {
  if (/^\+\d+$/.test(from)) return { source_addr_ton: ton.international, source_addr_npi: npi.isdn, source_addr: from.slice(1) };
  if (/^\d+$/.test(from)) return { source_addr_ton: ton.unknown, source_addr_npi: npi.isdn, source_addr: from };
  return { source_addr_ton: ton.alphanumeric, source_addr_npi: npi.unknown, source_addr: from };
}

/**
 * Outgoing SMS over SMPP, to the SMSC in `smsUrl` (the local sink in development, the provider's in
 * production), sent from `from`. One bind serves every message; when the connection drops, the
 * next message binds again.
 */
export function createSmppSender(smsUrl: string, from: string, options: Partial<SmppTimeouts> = {}): SmsSender {
  const endpoint = parseSmsUrl(smsUrl);
  const timeouts = { answerTimeoutMs: 10_000, keepAliveMs: 30_000, ...options };
  const sourceAddress = source(from);
  let link: SmppLink | undefined;
  let binding: Promise<SmppLink> | undefined;
  let closed = false;
  let reference = randomInt(256);

  const bound = (): Promise<SmppLink> => {
    if (closed) return Promise.reject(new Error('The SMS sender is closed'));
    if (link?.open) return Promise.resolve(link);
    binding ??= bindTransmitter(endpoint, timeouts)
      .then((opened) => {
        if (closed) opened.close();
        link = opened;
        return opened;
      })
      .finally(() => (binding = undefined));
    return binding;
  };

  return {
    async send(message) {
      const destinationAddress = destination(message.to);
      reference = (reference + 1) % 256;
      const { dataCoding, parts } = splitSms(message.text, reference);
      let next = 0;
      let rebound = false;
      while (next < parts.length) {
        const current = await bound();
        try {
          await current.request('submit_sm', {
            ...sourceAddress,
            dest_addr_ton: ton.international,
            dest_addr_npi: npi.isdn,
            destination_addr: destinationAddress,
            esm_class: parts.length > 1 ? udhIndicator : 0,
            data_coding: dataCoding,
            short_message: parts[next],
          });
          next += 1;
        } catch (error) {
          // A connection the SMSC dropped (idle, restarted) is found dead on use: bind again once and
          // go on from the part it did not acknowledge. The phone joins parts of either bind.
          if (!(error instanceof SmppConnectionLost) || rebound) throw error;
          rebound = true;
        }
      }
    },
    async verify() {
      await (await bound()).request('enquire_link');
    },
    close() {
      closed = true;
      link?.close();
    },
  };
}

/** An SMS sender that keeps a copy of every message it sent (what the member's data export lists). */
export function createRecordingSmsSender(smsUrl: string, from: string, dataSource: DataSource): SmsSender {
  const sender = createSmppSender(smsUrl, from);
  return {
    ...sender,
    async send(message) {
      await sender.send(message);
      await dataSource.manager.insert(SentSms, { to: message.to, text: message.text, memberId: message.memberId ?? null });
    },
  };
}
