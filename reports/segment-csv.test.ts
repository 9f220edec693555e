import { expect, it } from 'vitest';
import { segmentMembersCsv } from './segment-csv.js';

it('writes one line per member with what a program manager needs, a name a spreadsheet would run made harmless', () => {
  const csv = segmentMembersCsv([
    {
      reference: 'alice',
      name: '=HYPERLINK("http://evil.test")',
      email: 'alice@example.test',
      phone: null,
      tier: 'Silver',
      balance: 120,
      enrolledAt: new Date('2026-01-05T10:00:00Z'),
      lastActivityAt: null,
    },
  ]);
  expect(csv).toBe(
    'reference,name,email,phone,tier,balance (points),member since,last activity\r\n' +
      'alice,"\'=HYPERLINK(""http://evil.test"")",alice@example.test,,Silver,120,2026-01-05,\r\n',
  );
});
