/** SMPP data_coding values: the SMSC's default alphabet (GSM 03.38) and UCS-2 (UTF-16BE). */
export const gsmDataCoding = 0x00;
export const ucs2DataCoding = 0x08;

// GSM 03.38: the basic table by septet value (0x1B is the escape to the extension table), and the
// extension table's characters, each sent as 0x1B then its septet.
const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const gsmExtension = new Map(
  Object.entries({ '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 }),
);
const escape = 0x1b;

/** What one part carries: 160 septets or 140 octets, less the 6-octet concatenation header. */
const capacity = {
  gsm: { single: 160, concatenated: 153 },
  ucs2: { single: 140, concatenated: 134 },
};
const maxParts = 255;

export interface SplitSms {
  dataCoding: typeof gsmDataCoding | typeof ucs2DataCoding;
  /** Each part's short_message: behind a concatenation header when there is more than one. */
  parts: Buffer[];
}

/**
 * Encodes a text for SMPP and cuts it into parts the phone joins again (concatenated SMS with an
 * 8-bit `reference`): GSM 03.38 when every character has a septet, UCS-2 otherwise. A character is
 * never cut in two (an escaped GSM character, an emoji's surrogate pair), or it would arrive garbled.
 */
export function splitSms(text: string, reference: number): SplitSms {
  if (text === '') throw new Error('An SMS needs a text');
  const gsm = encodeGsm(text);
  const dataCoding = gsm ? gsmDataCoding : ucs2DataCoding;
  // Per character, so that a cut falls between characters.
  const characters = gsm ?? Array.from(text, (character) => Buffer.from(character, 'utf16le').swap16());
  const limits = gsm ? capacity.gsm : capacity.ucs2;
  const total = characters.reduce((length, bytes) => length + bytes.length, 0);
  if (total <= limits.single) return { dataCoding, parts: [Buffer.concat(characters)] };

  const payloads: Buffer[][] = [[]];
  let filled = 0;
  for (const bytes of characters) {
    if (filled + bytes.length > limits.concatenated) {
      payloads.push([]);
      filled = 0;
    }
    payloads.at(-1)!.push(bytes);
    filled += bytes.length;
  }
  if (payloads.length > maxParts) throw new Error(`This text is too long for one SMS: ${payloads.length} parts, at most ${maxParts}`);
  const parts = payloads.map((payload, index) =>
    Buffer.concat([Buffer.from([0x05, 0x00, 0x03, reference & 0xff, payloads.length, index + 1]), ...payload]),
  );
  return { dataCoding, parts };
}

/** The text's characters in GSM 03.38 septets (one per octet, as SMPP carries them); undefined when one has none. */
function encodeGsm(text: string): Buffer[] | undefined {
  const characters: Buffer[] = [];
  for (const character of text) {
    const basic = character === '\x1b' ? -1 : gsmBasic.indexOf(character);
    const extension = gsmExtension.get(character);
    if (basic >= 0) characters.push(Buffer.from([basic]));
    else if (extension !== undefined) characters.push(Buffer.from([escape, extension]));
    else return undefined;
  }
  return characters;
}
