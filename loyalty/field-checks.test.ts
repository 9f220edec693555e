import { expect, it } from 'vitest';
import { codeFormat, emailAddress, httpsAddress, oneOf, requiredText, wholeNumber } from './field-checks.js';

it('reads whole numbers as forms send them, in words for their range', () => {
  expect(wholeNumber('12')).toBeUndefined();
  expect(wholeNumber(' 12 ')).toBeUndefined();
  expect(wholeNumber('-1')).toBe('must be a whole number, 0 or more');
  expect(wholeNumber('0', { min: 1 })).toBe('must be a whole number above 0');
  expect(wholeNumber('1.5')).toBe('must be a whole number, 0 or more');
  expect(wholeNumber('1e3')).toBe('must be a whole number, 0 or more');
  expect(wholeNumber('13', { min: 1, max: 12 })).toBe('must be a whole number from 1 to 12');
  expect(wholeNumber('3000000000')).toBe('must be at most 2,147,483,647');
  expect(wholeNumber('')).toBe('is required');
  expect(wholeNumber('', { optional: true })).toBeUndefined();
});

it('takes codes of lowercase letters, digits and dashes, emails and https addresses only', () => {
  expect(codeFormat('koffie-corner')).toBeUndefined();
  for (const code of ['Koffie', 'koffie corner', '-koffie', 'koffie-', 'k_c', 'a'.repeat(41)])
    expect(codeFormat(code), code).toMatch(/lowercase/);
  expect(emailAddress('name@example.com')).toBeUndefined();
  expect(emailAddress('name@example')).toMatch(/email address/);
  expect(emailAddress('', { optional: true })).toBeUndefined();
  expect(httpsAddress('https://cdn.example.com/a.png')).toBeUndefined();
  expect(httpsAddress('http://cdn.example.com/a.png')).toBe('must start with https://');
  expect(httpsAddress('data:image/png;base64,AAAA')).toBe('must start with https://');
  expect(httpsAddress('a.png')).toMatch(/full web address/);
  expect(requiredText('   ')).toBe('is required');
});

it('names the choices of a closed list, and says when none was made', () => {
  const labels = { web: 'Web shop', store: 'Store' };
  expect(oneOf('web', labels)).toBeUndefined();
  expect(oneOf('mall', labels)).toBe('must be one of: Web shop, Store');
  expect(oneOf('', labels)).toBe('is required: choose one of: Web shop, Store');
  expect(oneOf('toString', labels)).toBe('must be one of: Web shop, Store');
});
