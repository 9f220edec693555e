import { expect, it } from 'vitest';
import { splitSms } from './sms-segments.js';

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
/** The user data header of part `sequence` of `total` of the concatenated message `reference`. */
const header = (reference: number, total: number, sequence: number) => Buffer.from([0x05, 0x00, 0x03, reference, total, sequence]);

it('sends a short GSM text as one part in the GSM alphabet, one septet per octet', () => {
  const sms = splitSms('Votre code : 123456', 7);
  expect(sms.dataCoding).toBe(0x00);
  expect(sms.parts).toEqual([Buffer.from('Votre code : 123456', 'latin1')]);
  // Where the GSM alphabet differs from ASCII and Latin-1.
  expect(splitSms('@£é_', 7).parts).toEqual([Buffer.from([0x00, 0x01, 0x05, 0x11])]);
});

it('fills one part with 160 GSM characters and concatenates beyond, 153 to a part behind a header', () => {
  expect(splitSms('a'.repeat(160), 1).parts).toEqual([Buffer.from('a'.repeat(160))]);
  const { parts } = splitSms('a'.repeat(400), 42);
  expect(parts).toEqual([
    Buffer.concat([header(42, 3, 1), Buffer.from('a'.repeat(153))]),
    Buffer.concat([header(42, 3, 2), Buffer.from('a'.repeat(153))]),
    Buffer.concat([header(42, 3, 3), Buffer.from('a'.repeat(94))]),
  ]);
});

it('counts the extension characters as two septets and never splits one across parts', () => {
  expect(splitSms('€'.repeat(80), 1).parts).toEqual([Buffer.from(Array.from({ length: 80 }, () => [0x1b, 0x65]).flat())]);
  expect(splitSms('x'.repeat(159) + '€', 1).parts).toHaveLength(2);
  const { parts } = splitSms('a'.repeat(152) + '[' + 'b'.repeat(10), 9);
  expect(parts).toEqual([
    Buffer.concat([header(9, 2, 1), Buffer.from('a'.repeat(152))]),
    Buffer.concat([header(9, 2, 2), Buffer.from([0x1b, 0x3c]), Buffer.from('b'.repeat(10))]),
  ]);
});

it('sends a text outside the GSM alphabet in UCS-2: 70 units in one part, 67 to a part beyond', () => {
  const text = 'Votre code : 123456 — à bientôt 😊';
  expect(splitSms(text, 1)).toEqual({ dataCoding: 0x08, parts: [utf16be(text)] });
  expect(splitSms('—'.repeat(70), 1).parts).toEqual([utf16be('—'.repeat(70))]);
  const { parts } = splitSms('—'.repeat(71), 3);
  expect(parts).toEqual([
    Buffer.concat([header(3, 2, 1), utf16be('—'.repeat(67))]),
    Buffer.concat([header(3, 2, 2), utf16be('—'.repeat(4))]),
  ]);
});

it('never splits a character written with two UTF-16 units (an emoji) across parts', () => {
  const { parts } = splitSms('—'.repeat(66) + '😊😊😊', 5);
  expect(parts).toEqual([Buffer.concat([header(5, 2, 1), utf16be('—'.repeat(66))]), Buffer.concat([header(5, 2, 2), utf16be('😊😊😊')])]);
});

it('refuses an empty text and one longer than 255 parts', () => {
  expect(() => splitSms('', 1)).toThrow('An SMS needs a text');
  expect(() => splitSms('a'.repeat(153 * 255 + 1), 1)).toThrow('too long for one SMS: 256 parts, at most 255');
});
