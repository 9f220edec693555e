import { expect, it } from 'vitest';
import { matchStore, nameSimilarity, readReceiptText, receiptFingerprint } from './receipt-reading.js';

const candidates = [
  { partnerId: 'green', pointOfSaleId: 'green-high-street', names: ['High Street', 'Green Grocer'] },
  { partnerId: 'green', pointOfSaleId: null, names: ['Green Grocer Ltd'] },
  { partnerId: 'koffie', pointOfSaleId: null, names: ['Koffie Corner'] },
];

it('reads the date, total and lines of a receipt through OCR slips', () => {
  const reading = readReceiptText(
    'GREEN. GROCER ~~\n12 Market Street\nDate: 28/11/2O26 14:32\nApples 1kg 3.49\nBread ; 2,15\nOlive oil 8.99\nTOTAL 14.63\nCARD 14.63\n',
    'EUR',
  );
  expect(reading).toMatchObject({
    purchasedOn: '2026-11-28',
    totalCents: 1463,
    lines: [
      { label: 'Apples 1kg', cents: 349 },
      { label: 'Bread', cents: 215 },
      { label: 'Olive oil', cents: 899 },
    ],
    linesAddUp: true,
  });
  // No readable total: the payment line repeats it; neither: the lines' sum, which then does not "add up".
  expect(readReceiptText('Shop\n01/02/2026\nTea 1.50\nTOTAL ~~\nCARD 1.50', 'EUR').totalCents).toBe(150);
  expect(readReceiptText('Shop\n01/02/2026\nTea 1.50\nCake 2.00\nTOTAL 5', 'EUR').linesAddUp).toBe(false);
  expect(readReceiptText('Shop\n31/02/2026\nTOTAL 3.00', 'EUR').purchasedOn).toBeNull();
  expect(readReceiptText('Shop\n2026-02-03 10:00\nTOTAL 3.00', 'EUR').purchasedOn).toBe('2026-02-03');
});

it('reads no total above the largest purchase the program records: such a read is not a total to pay', () => {
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 1000000.00', 'EUR').totalCents).toBe(100_000_000);
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 1000000.01', 'EUR').totalCents).toBeNull();
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 12345678901234567.00', 'EUR').totalCents).toBeNull();
  // Nor lines that add up to more.
  expect(readReceiptText('Shop\n01/02/2026\nGold bar 900000.00\nGold coin 200000.00', 'EUR').totalCents).toBeNull();
});

it("reads amounts in the minor unit of the program's currency, as the store's API sends them", () => {
  // A store's purchase of ¥1,200 is amountCents 1200: the receipt of it must say the same to be seen as it.
  expect(readReceiptText('Shop\n01/02/2026\nRamen 1200.00\nTOTAL 1200.00', 'JPY')).toMatchObject({
    totalCents: 1200,
    lines: [{ label: 'Ramen', cents: 1200 }],
  });
  // Yen have no decimals: "1200.50" is a misread, never a total.
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 1200.50', 'JPY').totalCents).toBeNull();
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 12.50', 'KWD').totalCents).toBe(12_500);
  expect(readReceiptText('Shop\n01/02/2026\nTOTAL 12.50', 'EUR').totalCents).toBe(1250);
});

it('matches a store by its names despite OCR errors, and not another one that looks alike', () => {
  expect(nameSimilarity('GREEN. GROCER ~~', 'Green Grocer')).toBe(1);
  expect(matchStore(['GREFN GR0CER', '12 Market Street'], candidates)?.candidate.pointOfSaleId).toBe('green-high-street');
  expect(matchStore(['KOFFIE C0RNER'], candidates)?.candidate.partnerId).toBe('koffie');
  expect(matchStore(['Corner Bakery', '12 Market Street'], candidates)).toBeNull();
});

it('fingerprints the same receipt alike, whatever the spacing and punctuation read', () => {
  const a = receiptFingerprint('GREEN GROCER\nTOTAL 14.63', 'green', '2026-11-28', 1463);
  expect(receiptFingerprint('Green  Grocer.\n TOTAL: 14.63', 'green', '2026-11-28', 1463)).toBe(a);
  expect(receiptFingerprint('GREEN GROCER\nTOTAL 14.63', 'green', '2026-11-29', 1463)).not.toBe(a);
});
