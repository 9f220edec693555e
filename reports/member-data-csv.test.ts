import { expect, it } from 'vitest';
import { memberHistoryCsv } from './member-data-csv.js';

it('renders a member’s history as CSV: one line per movement, with its store and the reasons in words', () => {
  const csv = memberHistoryCsv([
    {
      id: 'a8a3c1d6-0b1e-4c39-9a57-0d4b7a2e8f10',
      at: new Date('2026-05-01T09:30:00Z'),
      kind: 'earn',
      points: 120,
      status: 'posted',
      store: 'Koffie Corner',
      reward: null,
      description: '1 point per euro: 120 (€120.00 spent)',
      explanation: [{ rule: '1 point per euro', points: 120, reason: '€120.00 spent' }],
    },
    {
      id: 'f1a7d1c2-7e55-4d2a-8b8e-3a4c2b1d0e9f',
      at: new Date('2026-05-03T17:00:00Z'),
      kind: 'burn',
      points: -10,
      status: 'posted',
      store: 'Koffie Corner',
      reward: 'Coffee voucher',
      description: 'redemption: -10 (1 × Coffee voucher)',
      explanation: [{ rule: 'redemption', points: -10, reason: '1 × Coffee voucher' }],
    },
  ]);
  expect(csv).toBe(
    'date,kind,points,status,store,reward,description\r\n' +
      '2026-05-01T09:30:00.000Z,earn,120,posted,Koffie Corner,,1 point per euro: 120 (€120.00 spent)\r\n' +
      '2026-05-03T17:00:00.000Z,burn,-10,posted,Koffie Corner,Coffee voucher,redemption: -10 (1 × Coffee voucher)\r\n',
  );
});
