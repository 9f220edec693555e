import nodemailer, { type Transporter } from 'nodemailer';

export interface Mailer {
  send(message: { to: string; subject: string; text: string; html?: string }): Promise<void>;
  /** Opens an SMTP session and closes it: what /health asks. */
  verify(): Promise<void>;
  close(): void;
}

/** Outgoing mail over SMTP (the local sink in development, a real relay in production). */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
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
