import { readInbox } from '../../wiring/embedded/mail-sink.js';
import { readSmsInbox } from '../../wiring/embedded/sms-sink.js';

/**
 * The six digits last sent to an address, read where the member would read them: the mail sink
 * (the code ends the subject) or, for a phone number, the SMPP sink (the code starts the text).
 */
export async function latestCodeSent(sinks: { mail: string; sms?: string }, address: string): Promise<string> {
  if (address.startsWith('+')) {
    const texts = (await readSmsInbox(sinks.sms!)).filter((t) => t.to === address.replaceAll(' ', ''));
    return /^(\d{6})\b/.exec(texts[0]!.text)![1]!;
  }
  const mails = (await readInbox(sinks.mail)).filter((m) => m.to.includes(address));
  mails.sort((a, b) => b.date.getTime() - a.date.getTime());
  return /(\d{6})$/.exec(mails[0]!.subject)![1]!;
}
