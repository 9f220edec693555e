import PDFDocument from 'pdfkit';
import { minorDigits } from '../loyalty/money.js';
import { periodName, type StatementDocument } from '../loyalty/settlement/statement-document.js';

const points = new Intl.NumberFormat('en');

function money(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
}

/** A settlement statement as an A4 PDF: the party, the period, the figures, each line, and the net. */
export function settlementPdf(document: StatementDocument): Promise<Buffer> {
  const { statement, lines } = document;
  const { currency } = statement;
  const title = `Settlement statement ${periodName(statement)}`;
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Author: document.issuer } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = 56;
  const right = doc.page.width - 56;
  const width = right - left;

  doc.font('Helvetica-Bold').fontSize(22).text(document.issuer, left, 56);
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#555')
    .text('Loyalty coalition clearing', left, doc.y + 2);
  doc.fillColor('#000').font('Helvetica-Bold').fontSize(16).text(title, left, 56, { width, align: 'right' });
  doc.font('Helvetica').fontSize(10);
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
  const row = (cells: string[], y: number, font = 'Helvetica') => {
    doc.font(font).fontSize(10);
    cells.forEach((cell, i) => doc.text(cell, columns[i]!.x, y, { width: columns[i]!.width, align: columns[i]!.align }));
  };
  let y = 170;
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
