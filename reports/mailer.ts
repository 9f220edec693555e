import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource } from 'typeorm';
import { SentEmail } from '../entities/index.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  /** Headers besides the usual ones (a member message's List-Unsubscribe and List-Unsubscribe-Post). */
  headers?: Record<string, string>;
  /** The message holds a secret (a set-password link): no copy is kept, so nobody can read or resend it. */
  holdsSecret?: boolean;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Opens an SMTP session and closes it: what /health asks. */
  verify(): Promise<void>;
  close(): void;
}

/** Outgoing mail over SMTP (the local sink in development, a real relay in production). */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send({ holdsSecret: _secret, ...message }) {
      await transport.sendMail({ from, ...message });
    },
    async verify() {
      await transport.verify();
    },
    close() {
      transport.close();
    },
  };
}

/** A mailer that keeps a copy of every message it sent (what care sees and resends). */
export function createRecordingMailer(smtpUrl: string, from: string, dataSource: DataSource): Mailer {
  const mailer = createMailer(smtpUrl, from);
  return {
    ...mailer,
    async send(message) {
      await mailer.send(message);
      if (message.holdsSecret) return;
      await dataSource.manager.insert(SentEmail, {
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
      });
    },
  };
}

/** Sends again the last email a recipient received; false when none was sent to them. */
export async function resendLastEmail(dataSource: DataSource, mailer: Mailer, to: string): Promise<SentEmail | null> {
  const last = await dataSource.manager.findOne(SentEmail, { where: { to }, order: { sentAt: 'DESC' } });
  if (!last) return null;
  await mailer.send({ to: last.to, subject: last.subject, text: last.text, html: last.html ?? undefined });
  return last;
}
