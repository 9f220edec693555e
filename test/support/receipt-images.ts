import { createCanvas } from '@napi-rs/canvas';

/** What a generated receipt says: the facts a reader must find again. */
export interface ReceiptFacts {
  store: string;
  /** The purchase day, YYYY-MM-DD (printed as DD/MM/YYYY, as tills in Europe do). */
  date: string;
  lines: { label: string; cents: number }[];
}

/** How much the "photograph" spoils the print: 0 is a clean scan, 1 a poor phone photo. */
export interface Noise {
  level: number;
  /** Seeds the speckles, so a receipt is the same image on every run. */
  seed: number;
}

export const totalOf = (facts: ReceiptFacts) => facts.lines.reduce((sum, line) => sum + line.cents, 0);

const euros = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** The receipt's text, line by line, as a till prints it. */
export function receiptText(facts: ReceiptFacts): string[] {
  const [year, month, day] = facts.date.split('-');
  const width = 32;
  const row = (left: string, right: string) => `${left}${' '.repeat(Math.max(1, width - left.length - right.length))}${right}`;
  return [
    facts.store.toUpperCase(),
    '12 Market Street',
    `Date: ${day}/${month}/${year}  14:32`,
    '',
    ...facts.lines.map((line) => row(line.label, euros(line.cents))),
    '',
    row('TOTAL', euros(totalOf(facts))),
    row('CARD', euros(totalOf(facts))),
    '',
    'Thank you for your visit',
  ];
}

/** A small deterministic generator, so noise is reproducible. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/**
 * Renders a receipt to an image and spoils it like a photograph: a slight rotation, uneven light,
 * blur and speckle noise growing with `noise.level`.
 */
export function receiptImage(facts: ReceiptFacts, noise: Noise, format: 'png' | 'jpeg' = 'png'): Buffer {
  const text = receiptText(facts);
  const next = random(noise.seed);
  const lineHeight = 34;
  const width = 620;
  const height = 80 + text.length * lineHeight;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  // Uneven light: a gradient from a lit corner to a shaded one.
  const light = g.createLinearGradient(0, 0, width, height);
  light.addColorStop(0, 'rgb(250,250,246)');
  light.addColorStop(
    1,
    `rgb(${Math.round(250 - 70 * noise.level)},${Math.round(248 - 70 * noise.level)},${Math.round(240 - 75 * noise.level)})`,
  );
  g.fillStyle = light;
  g.fillRect(0, 0, width, height);
  g.save();
  g.translate(width / 2, height / 2);
  g.rotate(((next() - 0.5) * 2 * noise.level * 2.5 * Math.PI) / 180);
  g.translate(-width / 2, -height / 2);
  g.filter = noise.level > 0 ? `blur(${(noise.level * 1.4).toFixed(2)}px)` : 'none';
  g.fillStyle = 'rgb(30,30,34)';
  g.font = '26px monospace';
  g.textBaseline = 'top';
  text.forEach((line, i) => g.fillText(line, 30, 40 + i * lineHeight));
  g.restore();
  // Speckles: dark and light dots, as sensor noise and paper grain.
  const speckles = Math.round(noise.level * width * height * 0.02);
  for (let i = 0; i < speckles; i++) {
    const shade = next() < 0.5 ? 40 + next() * 60 : 200 + next() * 55;
    g.fillStyle = `rgba(${shade},${shade},${shade},${0.3 + next() * 0.5})`;
    g.fillRect(next() * width, next() * height, 1 + next() * 1.5, 1 + next() * 1.5);
  }
  return format === 'png' ? canvas.toBuffer('image/png') : canvas.toBuffer('image/jpeg', 85);
}
