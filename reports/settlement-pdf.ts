import { formatMoney as money } from '../loyalty/money.js';
import { periodName, type StatementDocument } from '../loyalty/settlement/statement-document.js';
import { a4Document, letterhead, pdfTable } from './pdf-layout.js';

const points = new Intl.NumberFormat('en');

/** A settlement statement as an A4 PDF: the party, the period, the figures, each line, and the net. */
export function settlementPdf(document: StatementDocument): Promise<Buffer> {
  const { statement, lines } = document;
  const { currency } = statement;
  const title = `Settlement statement ${periodName(statement)}`;
  const page = a4Document(title, document.issuer);
  const { doc, done, left, right, width } = page;
  letterhead(page, { issuer: document.issuer, role: 'Loyalty coalition clearing', title });
  doc.text(`For: ${document.partyName}`, left, doc.y + 4, { width, align: 'right' });
  doc.text(
    `Clearing value ${points.format(statement.clearingValueMinor)} minor units a point; operator keeps ${points.format(statement.breakageOperatorSharePercent)}% of breakage`,
    { width, align: 'right' },
  );

  const columns = [
    { title: 'Line', x: left, width: 230, align: 'left' as const },
    { title: 'Points', x: left + 230, width: 70, align: 'right' as const },
    { title: 'Value', x: left + 300, width: 90, align: 'right' as const },
    { title: 'You receive (+) / pay (−)', x: left + 390, width: width - 390, align: 'right' as const },
  ];
  const { row, header } = pdfTable(page, columns);
  let y = header(170);
  if (lines.length === 0) {
    doc.font('Helvetica').text('No activity in the period.', left, y);
    y += 20;
  }
  for (const line of lines) {
    if (y > doc.page.height - 140) {
      doc.addPage();
      y = 56;
    }
    row([line.description, points.format(line.points), money(line.valueMinor, currency), money(line.amountMinor, currency)], y);
    y = Math.max(doc.y, y + 14) + 6;
  }
  doc.moveTo(left, y).lineTo(right, y).stroke();
  y += 12;
  const net = statement.netMinor;
  row([net >= 0 ? 'Net: you receive' : 'Net: you pay', '', '', money(Math.abs(net), currency)], y, 'Helvetica-Bold');
  doc
    .font('Helvetica')
    .fontSize(9)
    .fillColor('#555')
    .text(
      `Amounts in ${currency}. Funders pay the partner that honoured their points; the operator clears every amount, so the coalition's statements sum to zero. The CSV sent with this statement lists the ledger transfers behind each line.`,
      left,
      y + 30,
      { width },
    );
  doc.end();
  return done;
}
