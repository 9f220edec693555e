import { expect, it } from 'vitest';
import { csvDocument } from './csv.js';

it('writes RFC 4180 rows: commas, quotes and line breaks quoted, lines ended by CRLF', () => {
  expect(csvDocument(['name', 'points', 'note'], [['Ann, the first', 12, 'said "hi"\nthen left']])).toBe(
    'name,points,note\r\n"Ann, the first",12,"said ""hi""\nthen left"\r\n',
  );
});

it('writes an empty cell for null, and numbers as they are, negative ones included', () => {
  expect(csvDocument(['a', 'b', 'c'], [[null, -40, 0]])).toBe('a,b,c\r\n,-40,0\r\n');
});

it('keeps a spreadsheet from running text as a formula', () => {
  const written = csvDocument(['text'], [['=HYPERLINK("http://evil.test")'], ['+1'], ['-2'], ['@SUM(A1)'], ['\tx']]);
  expect(written.split('\r\n').slice(1, -1)).toEqual(['"\'=HYPERLINK(""http://evil.test"")"', "'+1", "'-2", "'@SUM(A1)", "'\tx"]);
});
