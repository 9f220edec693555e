/**
 * `npm run bench:receipts`: the recognition rate of Tessera's receipt reading on receipts the bench
 * makes itself (rendered text, then photograph-like noise growing from a clean scan to a poor phone
 * photo): the share of receipts whose store, date and total are all read right.
 */
import { matchStore, readReceiptText, type StoreCandidate } from '../loyalty/receipts/receipt-reading.js';
import { receiptImage, totalOf, type ReceiptFacts } from '../test/support/receipt-images.js';
import { receiptReader } from '../workflows/activities/receipt-ocr.js';

const stores = [
  'Green Grocer',
  'Koffie Corner',
  'BookBarn',
  'Bakkerij De Molen',
  'City Pharmacy',
  'Fresh Market',
  'Pasta Palace',
  'Tech Hub',
];
const items = ['Apples 1kg', 'Bread', 'Olive oil', 'Coffee beans', 'Milk 1L', 'Cheese', 'Paperback', 'Shampoo', 'Pasta', 'Batteries'];
const candidates: StoreCandidate[] = stores.map((name, i) => ({ partnerId: `partner-${i}`, pointOfSaleId: null, names: [name] }));

const count = Number(process.env.RECEIPTS ?? 24);
const receipts = Array.from({ length: count }, (_, i) => {
  const day = new Date(Date.UTC(2026, i % 12, 1 + ((i * 7) % 28)));
  const facts: ReceiptFacts = {
    store: stores[i % stores.length]!,
    date: day.toISOString().slice(0, 10),
    lines: Array.from({ length: 2 + (i % 4) }, (_, j) => ({
      label: items[(i + j * 3) % items.length]!,
      cents: 99 + ((i * 131 + j * 377) % 2400),
    })),
  };
  // Noise from 0 (a clean scan) to 0.9 (a poor photo), spread evenly over the set.
  return { facts, level: count === 1 ? 0 : (0.9 * i) / (count - 1), format: i % 2 === 0 ? ('png' as const) : ('jpeg' as const) };
});

const reader = receiptReader();
const started = Date.now();
let allRight = 0;
const rows: string[] = [];
try {
  for (const [i, { facts, level, format }] of receipts.entries()) {
    const ocr = await reader.read(receiptImage(facts, { level, seed: i + 1 }, format));
    const reading = readReceiptText(ocr.text, 'EUR');
    const store = matchStore(reading.header, candidates)?.candidate.names[0] ?? null;
    const right = { store: store === facts.store, date: reading.purchasedOn === facts.date, total: reading.totalCents === totalOf(facts) };
    if (right.store && right.date && right.total) allRight++;
    rows.push(
      `${String(i + 1).padStart(2)}  noise ${level.toFixed(2)}  ${format.padEnd(4)}  conf ${String(Math.round(ocr.confidence)).padStart(3)}  ` +
        `store ${right.store ? 'ok' : '--'}  date ${right.date ? 'ok' : '--'}  total ${right.total ? 'ok' : '--'}`,
    );
  }
} finally {
  await reader.close();
}
console.log(rows.join('\n'));
const seconds = (Date.now() - started) / 1000;
console.log(
  `\n${allRight}/${count} receipts (${((100 * allRight) / count).toFixed(0)}%) read with store, date and total all right; ` +
    `${(seconds / count).toFixed(1)} s a receipt on one OCR engine`,
);
