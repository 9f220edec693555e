export type CsvCell = string | number | null;

/**
 * An RFC 4180 document: a header line and the rows, each line ended by CRLF, a cell quoted when it
 * holds a comma, a quote or a line break. Text a spreadsheet would run as a formula (starting with
 * =, +, -, @ or a tab) is prefixed with an apostrophe: an exported name or note cannot run code.
 */
export function csvDocument(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => `${row.map(cell).join(',')}\r\n`).join('');
}

function cell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
