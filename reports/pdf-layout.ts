import PDFDocument from 'pdfkit';

/** An A4 document with the operator's margins, and its bytes once it ends. */
export function a4Document(title: string, author: string) {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: title, Author: author } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = 56;
  const right = doc.page.width - 56;
  return { doc, done, left, right, width: right - left };
}

/** The issuer and what it is on the left, the document's title on the right: what every document the operator sends opens with. */
export function letterhead(page: ReturnType<typeof a4Document>, head: { issuer: string; role: string; title: string }): void {
  const { doc, left, width } = page;
  doc.font('Helvetica-Bold').fontSize(22).text(head.issuer, left, 56);
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#555')
    .text(head.role, left, doc.y + 2);
  doc.fillColor('#000').font('Helvetica-Bold').fontSize(16).text(head.title, left, 56, { width, align: 'right' });
  doc.font('Helvetica').fontSize(10);
}

export interface PdfColumn {
  title: string;
  x: number;
  width: number;
  align: 'left' | 'right';
}

/** Writes rows of cells in the columns; `header` writes the titles underlined at `y` and says where the first row goes. */
export function pdfTable(page: ReturnType<typeof a4Document>, columns: PdfColumn[]) {
  const { doc, left, right } = page;
  const row = (cells: string[], y: number, font = 'Helvetica') => {
    doc.font(font).fontSize(10);
    cells.forEach((cell, i) => doc.text(cell, columns[i]!.x, y, { width: columns[i]!.width, align: columns[i]!.align }));
  };
  const header = (y: number): number => {
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
    return y + 24;
  };
  return { row, header };
}
