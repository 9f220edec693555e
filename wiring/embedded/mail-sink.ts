import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface RunningMailSink {
  /** What nodemailer is given: `smtp://127.0.0.1:<port>`. */
  smtpUrl: string;
  directory: string;
  stop(): Promise<void>;
}

export interface ReceivedMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  date: Date;
  text: string;
  html?: string;
  attachments: { filename?: string; contentType: string; size: number }[];
  /** Each header as it came (unfolded), by its lower-case name; the last one when a name repeats. */
  headers: Record<string, string>;
}

/**
 * A local SMTP server that accepts every message and keeps it as an `.eml` file, so outgoing
 * mail really crosses SMTP in development and tests and can be read back.
 */
export async function startMailSink(directory: string, port?: number): Promise<RunningMailSink> {
  mkdirSync(directory, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomUUID()}.eml`;
        writeFile(join(directory, name), Buffer.concat(chunks)).then(() => callback(), callback);
      });
    },
  });
  // Port 0 when none is asked for: the kernel's choice, which no other process can take in between.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  const listenPort = (server.server.address() as AddressInfo).port;
  return {
    smtpUrl: `smtp://127.0.0.1:${listenPort}`,
    directory,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The messages a mail sink folder holds, newest first. */
export async function readInbox(directory: string): Promise<ReceivedMail[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  names.sort().reverse();
  return Promise.all(
    names.map(async (name) => {
      const parsed = await simpleParser(await readFile(join(directory, name)));
      const to = [parsed.to ?? []].flat().flatMap((address) => address.value.map((v) => v.address ?? ''));
      return {
        id: name.replace(/\.eml$/, ''),
        from: parsed.from?.text ?? '',
        to,
        subject: parsed.subject ?? '',
        date: parsed.date ?? new Date(0),
        text: parsed.text ?? '',
        html: parsed.html || undefined,
        attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
        headers: Object.fromEntries(
          parsed.headerLines.map(({ key, line }) => [
            key,
            line
              .replace(/^[^:]*:/, '')
              .replace(/\r?\n[ \t]+/g, ' ')
              .trim(),
          ]),
        ),
      };
    }),
  );
}
