import type { InvoiceDocument } from '../loyalty/invoice-amounts.js';
import { formatMoney as money } from '../loyalty/money.js';
import { a4Document, letterhead, pdfTable } from './pdf-layout.js';

const points = new Intl.NumberFormat('en');
const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

const rate = (percent: number) => `${points.format(percent)}%`;

/** An invoice as a one-page A4 PDF: issuer, partner, number and date, its lines, VAT and totals. */
export function invoicePdf(invoice: InvoiceDocument): Promise<Buffer> {
  const page = a4Document(`Invoice ${invoice.number}`, invoice.issuer);
  const { doc, done, left, right, width } = page;
  const { currency } = invoice;
  letterhead(page, { issuer: invoice.issuer, role: 'Loyalty points program operator', title: 'Invoice' });
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
  const { row, header } = pdfTable(page, columns);
  let y = header(240);
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
