import { describe, expect, it } from 'vitest';
import { distributionFileText, maxFileLines, readDistributionFile } from './company-csv.js';

describe('reading a distribution file', () => {
  it('reads an address, points and an optional note per line, skipping a first line of column names and blank lines', () => {
    const read = readDistributionFile('\uFEFFEmail or phone,Points,Note\r\nAnn@Example.com , 100 ,Welcome\r\n\r\n+33 6 12 34 56 78,25\r\n');
    expect(read.problems).toEqual([]);
    expect(read.lines).toEqual([
      { line: 2, channel: 'email', address: 'ann@example.com', points: 100, note: 'Welcome' },
      { line: 4, channel: 'sms', address: '+33612345678', points: 25, note: null },
    ]);
  });

  it('reads quoted cells (a separator, a quote or a line break inside) and semicolon-separated files, keeping line numbers', () => {
    const read = readDistributionFile('a@example.com;10;"Lunch; ""team"" day\nwith cake"\nb@example.com;20;');
    expect(read.problems).toEqual([]);
    expect(read.lines.map((l) => [l.line, l.address, l.note])).toEqual([
      [1, 'a@example.com', 'Lunch; "team" day\nwith cake'],
      [3, 'b@example.com', null],
    ]);
  });

  it('reads the encodings and the tab-separated "Unicode text" spreadsheets save, and names a line of a binary file', () => {
    const latin1 = Uint8Array.from([...'a@example.com;5;Café\r\n'].map((c) => c.charCodeAt(0)));
    expect(readDistributionFile(distributionFileText(latin1)).lines[0]!.note).toBe('Café');
    const tabbed = 'Email\tPoints\tNote\r\na@example.com\t5\tCrème, brûlée\r\n';
    const utf16 = new Uint8Array([0xff, 0xfe, ...[...tabbed].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(readDistributionFile(distributionFileText(utf16)).lines.map((l) => [l.address, l.points, l.note])).toEqual([
      ['a@example.com', 5, 'Crème, brûlée'],
    ]);
    expect(readDistributionFile(distributionFileText(new TextEncoder().encode('\uFEFFa@example.com,5,Ünïcode'))).lines[0]!.note).toBe(
      'Ünïcode',
    );
    expect(readDistributionFile('PK\u0003\u0004\u0000a@example.com,5').problems).toEqual([
      { line: 1, reason: 'the line holds characters no spreadsheet writes: save the file as CSV and upload that' },
    ]);
  });

  it('names each wrong line with the reason, and a line repeating an address', () => {
    const read = readDistributionFile(
      [
        'a@example.com,10',
        'nobody,5',
        'b@example.com,-3',
        'c@example.com,1.5',
        'd@example.com',
        'e@example.com,5,note,extra',
        'A@example.com,7',
        `f@example.com,5,${'x'.repeat(201)}`,
        'g@example.com,"5',
      ].join('\n'),
    );
    expect(read.problems).toEqual([
      { line: 2, reason: '“nobody” is not an email address or a mobile number in international form (+ and the country code)' },
      { line: 3, reason: 'points must be a whole number greater than zero, not “-3”' },
      { line: 4, reason: 'points must be a whole number greater than zero, not “1.5”' },
      { line: 5, reason: 'the points are missing' },
      { line: 6, reason: '4 columns: expected the email or mobile number, the points and an optional note' },
      { line: 7, reason: 'a@example.com is on line 1 too: give each employee one line' },
      { line: 8, reason: 'the note is longer than 200 characters' },
      { line: 9, reason: 'a quote is opened and never closed' },
    ]);
    expect(read.lines.map((l) => l.line)).toEqual([1]);
  });

  it('refuses more lines than a file may hold', () => {
    const text = Array.from({ length: maxFileLines + 1 }, (_, i) => `p${i}@example.com,1`).join('\n');
    expect(readDistributionFile(text).problems).toEqual([
      { line: maxFileLines + 1, reason: `a file holds at most ${maxFileLines} lines: split it in two` },
    ]);
  });
});
