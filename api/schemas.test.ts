import { describe, expect, it } from 'vitest';
import { label, notBlank } from './schemas.js';

describe('strings the API accepts', () => {
  it('calls blank exactly what trim() takes away, for every character of the basic plane', () => {
    const disagreements = [];
    for (let code = 0; code <= 0xffff; code++) {
      const character = String.fromCharCode(code);
      if ((character.trim() === '') === notBlank.test(character)) disagreements.push(code.toString(16));
    }
    expect(disagreements).toEqual([]);
  });

  it('trims a label, and refuses one that is blank or holds a control character', () => {
    expect(label(10).parse('\u3000 cust-42\ufeff')).toBe('cust-42');
    expect(label(10).safeParse('\u3000\ufeff ').success).toBe(false);
    expect(label(10).safeParse('cust\u000042').success).toBe(false);
    expect(label(10).safeParse('cust-42\n').success).toBe(false);
    expect(label(10).safeParse('cust\u007f').success).toBe(false);
  });
});
