import type { MessageChannel } from '../entities/index.js';
import { signInAddress } from './member-sign-in.js';

/** Lines one file may give points on: more is a job for two files. */
export const maxFileLines = 1_000;
export const maxNoteLength = 200;

/**
 * The text of an uploaded file, in the encodings spreadsheets save CSV in: UTF-8 (with or without
 * its byte order mark), UTF-16 with its byte order mark ("Unicode text"), or else Windows-1252,
 * what a spreadsheet on Windows writes in Western European languages.
 */
export function distributionFileText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** One line of a distribution file, read and checked for its shape. */
export interface FileLine {
  /** Where the line starts in the file, counting from 1 (as a spreadsheet numbers rows). */
  line: number;
  channel: MessageChannel;
  /** The email in lower case, or the phone number in E.164. */
  address: string;
  points: number;
  note: string | null;
}

export interface LineProblem {
  line: number;
  reason: string;
}

/** A first line naming the columns ("email,points,note"), not giving points. */
const columnNames = /^\s*(e-?mail|phone|mobile|address|employee)/i;

/**
 * Reads a CSV file of "email or mobile number, points, optional note" lines (RFC 4180: quoted
 * cells may hold the separator, quotes and line breaks; a comma or, as spreadsheets set to many
 * European locales write, a semicolon between cells, or a tab as in "Unicode text"). Every wrong line is named with its reason;
 * an address on two lines is wrong on the second, since two lines for one person are most likely
 * a mistake.
 */
export function readDistributionFile(text: string): { lines: FileLine[]; problems: LineProblem[] } {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const lines: FileLine[] = [];
  const problems: LineProblem[] = [];
  const firstLineOf = new Map<string, number>();
  let given = 0;
  records.forEach((record, index) => {
    if (record.cells.every((cell) => cell.trim() === '')) return;
    if (index === 0 && columnNames.test(record.cells[0]!)) return;
    if (++given > maxFileLines) {
      if (given === maxFileLines + 1)
        problems.push({ line: record.line, reason: `a file holds at most ${maxFileLines} lines: split it in two` });
      return;
    }
    const checked = checkRecord(record);
    if (typeof checked === 'string') return problems.push({ line: record.line, reason: checked });
    const first = firstLineOf.get(checked.address);
    if (first !== undefined) {
      return problems.push({ line: record.line, reason: `${checked.address} is on line ${first} too: give each employee one line` });
    }
    firstLineOf.set(checked.address, record.line);
    lines.push(checked);
  });
  return { lines, problems };
}

interface CsvRecord {
  line: number;
  cells: string[];
  /** A quoted cell ran to the end of the file. */
  unclosedQuote?: boolean;
}

/** Control characters but the tab and line breaks: a binary file (a workbook), or text the database could not keep. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const controlCharacter = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function checkRecord(record: CsvRecord): FileLine | string {
  if (record.unclosedQuote) return 'a quote is opened and never closed';
  const cells = record.cells.map((cell) => cell.trim());
  while (cells.length > 3 && cells.at(-1) === '') cells.pop();
  if (cells.length > 3) return `${cells.length} columns: expected the email or mobile number, the points and an optional note`;
  if (cells.some((cell) => controlCharacter.test(cell)))
    return 'the line holds characters no spreadsheet writes: save the file as CSV and upload that';
  const [typed = '', points = '', note = ''] = cells;
  const destination = signInAddress(typed);
  if (!destination) return `“${typed}” is not an email address or a mobile number in international form (+ and the country code)`;
  if (points === '') return 'the points are missing';
  if (!/^[0-9]+$/.test(points) || Number(points) <= 0 || !Number.isSafeInteger(Number(points))) {
    return `points must be a whole number greater than zero, not “${points}”`;
  }
  if (note.length > maxNoteLength) return `the note is longer than ${maxNoteLength} characters`;
  return { line: record.line, channel: destination.channel, address: destination.address, points: Number(points), note: note || null };
}

/** The file's records with the line each starts on; the separator (comma, semicolon or tab) is the one the first line uses most. */
function splitRecords(text: string): CsvRecord[] {
  const firstLine = text.split(/\r\n|\n|\r/, 1)[0] ?? '';
  const count = (c: string) => firstLine.split(c).length - 1;
  const separator = [';', '\t'].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
  const records: CsvRecord[] = [];
  let line = 1;
  let record: CsvRecord = { line, cells: [''] };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const cells = record.cells;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cells[cells.length - 1] += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        cells[cells.length - 1] += c;
      }
    } else if (c === '"' && cells.at(-1)!.trim() === '') {
      cells[cells.length - 1] = '';
      quoted = true;
    } else if (c === separator) {
      cells.push('');
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      records.push(record);
      record = { line: ++line, cells: [''] };
    } else {
      cells[cells.length - 1] += c;
    }
  }
  if (quoted) record.unclosedQuote = true;
  records.push(record);
  return records;
}
