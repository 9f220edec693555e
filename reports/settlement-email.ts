import { minorDigits } from '../loyalty/money.js';
import { periodName, type StatementDocument } from '../loyalty/settlement/statement-document.js';
import type { MailMessage } from './mailer.js';
import { settlementCsv } from './settlement-csv.js';
import { settlementPdf } from './settlement-pdf.js';

const money = (minor: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));

/**
 * A partner's statement by email, PDF and CSV attached. Its Message-ID derives from the statement,
 * so a copy sent again by a retry is the same message to the partner's mail system.
 */
export async function settlementEmail(document: StatementDocument, to: string): Promise<MailMessage> {
  const { statement } = document;
  const period = periodName(statement);
  const net = statement.netMinor;
  const outcome =
    net === 0
      ? 'nothing to settle'
      : net > 0
        ? `you receive ${money(net, statement.currency)}`
        : `you pay ${money(-net, statement.currency)}`;
  const file = `settlement-${statement.period}`;
  return {
    to,
    subject: `Settlement statement ${period}: ${outcome}`,
    text: [
      `Hello ${document.partyName},`,
      '',
      `Your settlement statement for ${period} is attached (PDF, and CSV with the transfers behind each line).`,
      `Points issued: ${statement.issuedPoints}. Points honoured at your stores: ${statement.redeemedAtPoints}. Your points honoured elsewhere: ${statement.redeemedElsewherePoints}. Your points expired: ${statement.breakagePoints}.`,
      `Net: ${outcome}.`,
      '',
      document.issuer,
    ].join('\n'),
    headers: { 'Message-ID': `<settlement-${statement.id}@statements.tessera>` },
    attachments: [
      { filename: `${file}.pdf`, content: await settlementPdf(document), contentType: 'application/pdf' },
      { filename: `${file}.csv`, content: Buffer.from(settlementCsv(document), 'utf8'), contentType: 'text/csv' },
    ],
  };
}
