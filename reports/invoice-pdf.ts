import PDFDocument from 'pdfkit';
import type { InvoiceDocument } from '../loyalty/invoice-amounts.js';
import { minorDigits } from '../loyalty/money.js';

const points = new Intl.NumberFormat('en');
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** An amount in minor units as the currency writes it: €1,210.00. */
function money(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
}

const rate = (percent: number) => `${points.format(percent)}%`;

/** An invoice as a one-page A4 PDF: issuer, partner, number and date, its lines, VAT and totals. */
export function invoicePdf(invoice: InvoiceDocument): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `Invoice ${invoice.number}`, Author: invoice.issuer } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = 56;
  const right = doc.page.width - 56;
  const width = right - left;
  const { currency } = invoice;

  doc.font('Helvetica-Bold').fontSize(22).text(invoice.issuer, left, 56);
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#555')
    .text('Loyalty points program operator', left, doc.y + 2);
  doc.fillColor('#000').font('Helvetica-Bold').fontSize(16).text('Invoice', left, 56, { width, align: 'right' });
  doc.font('Helvetica').fontSize(10);
  doc.text(`Number: ${invoice.number}`, left, doc.y + 4, { width, align: 'right' });
  doc.text(`Date: ${day.format(invoice.issuedAt)}`, { width, align: 'right' });

  doc.font('Helvetica-Bold').fontSize(10).text('Billed to', left, 150);
  doc.font('Helvetica').text(invoice.partner.name).text(`Partner code: ${invoice.partner.code}`);
  if (invoice.partner.contactEmail) doc.text(invoice.partner.contactEmail);

  const columns = [
    { title: 'Description', x: left, width: 190, align: 'left' as const },
    { title: 'Points', x: left + 190, width: 90, align: 'right' as const },
    { title: 'Net', x: left + 280, width: 65, align: 'right' as const },
    { title: `VAT ${rate(invoice.vatRatePercent)}`, x: left + 345, width: 65, align: 'right' as const },
    { title: 'Total', x: left + 410, width: width - 410, align: 'right' as const },
  ];
  const row = (cells: string[], y: number, font = 'Helvetica') => {
    doc.font(font).fontSize(10);
    cells.forEach((cell, i) => doc.text(cell, columns[i]!.x, y, { width: columns[i]!.width, align: columns[i]!.align }));
  };
  let y = 240;
  row(
    columns.map((c) => c.title),
    y,
    'Helvetica-Bold',
  );
  doc
    .moveTo(left, y + 16)
    .lineTo(right, y + 16)
    .strokeColor('#999')
    .stroke();
  y += 24;
  for (const line of invoice.lines) {
    row(
      [
        line.description,
        `${points.format(line.points)} points`,
        money(line.netMinor, currency),
        money(line.vatMinor, currency),
        money(line.grossMinor, currency),
      ],
      y,
    );
    y = Math.max(doc.y, y + 14) + 8;
  }
  doc.moveTo(left, y).lineTo(right, y).stroke();
  y += 12;

  const total = (label: string, amount: string, font = 'Helvetica') => {
    doc
      .font(font)
      .fontSize(10)
      .text(label, left + 250, y, { width: 160, align: 'right' });
    doc.text(amount, left + 410, y, { width: width - 410, align: 'right' });
    y += 16;
  };
  total('Net amount', money(invoice.totals.netMinor, currency));
  total(`VAT at ${rate(invoice.vatRatePercent)}`, money(invoice.totals.vatMinor, currency));
  total('Total due', money(invoice.totals.grossMinor, currency), 'Helvetica-Bold');

  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#555')
    .text(
      `Amounts in ${currency}. The package price includes VAT at the rate in force on the date of sale. The points were credited to the partner's wallet on that date.`,
      left,
      y + 24,
      { width },
    );
  doc.end();
  return done;
}
