import { inflateSync } from 'node:zlib';

/** WinAnsi codes that differ from Latin-1 (the ones an invoice uses). */
const winAnsi: Record<number, string> = { 0x80: '€', 0x95: '•', 0x96: '–', 0x97: '—' };

const decodeHex = (hex: string) =>
  (hex.match(/../g) ?? []).map((pair) => winAnsi[parseInt(pair, 16)] ?? String.fromCharCode(parseInt(pair, 16))).join('');

/**
 * The text a PDF shows, one string per text operator, read from its (inflated) content streams:
 * enough to check what a generated document says, without a PDF reader.
 */
export function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const texts: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    const bytes = Buffer.from(match[1]!, 'latin1');
    let content: string;
    try {
      content = inflateSync(bytes).toString('latin1');
    } catch {
      content = bytes.toString('latin1');
    }
    for (const op of content.matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const parts = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]!) : [op[2]!];
      texts.push(parts.map(decodeHex).join(''));
    }
  }
  return texts;
}
