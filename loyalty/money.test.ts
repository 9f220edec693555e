import { expect, it } from 'vitest';
import { inUnits, isCurrency, minorDigits, parsePrice, typedPrice } from './money.js';

it('reads a price typed in the currency’s units as minor units', () => {
  expect(parsePrice('1400', 'EUR')).toEqual({ minor: 140_000 });
  expect(parsePrice('1,400.00', 'EUR')).toEqual({ minor: 140_000 });
  expect(parsePrice('49.9', 'EUR')).toEqual({ minor: 4_990 });
  expect(parsePrice('4900', 'JPY')).toEqual({ minor: 4_900 });
  expect(parsePrice('12.345', 'EUR')).toEqual({ problem: 'must have at most 2 decimals' });
  expect(parsePrice('49.5', 'JPY')).toEqual({ problem: 'must be a whole amount: JPY has no decimals' });
  expect(parsePrice('0', 'EUR')).toEqual({ problem: 'must be an amount above 0' });
  expect(parsePrice('-5', 'EUR')).toEqual({ problem: 'must be an amount above 0' });
  expect(parsePrice('cheap', 'EUR')).toEqual({ problem: 'must be an amount, like 49.00' });
  expect(parsePrice('', 'EUR')).toEqual({ problem: 'is required' });
  expect(parsePrice('99999999', 'EUR')).toEqual({ problem: 'is too large' });
});

it('shows minor units back as typed, and knows ISO 4217 codes', () => {
  expect(typedPrice(140_000, 'EUR')).toBe('1400.00');
  expect(typedPrice(4_900, 'JPY')).toBe('4900');
  expect(isCurrency('EUR')).toBe(true);
  expect(isCurrency('EURO')).toBe(false);
  expect(isCurrency('eur')).toBe(false);
});

it('counts decimals per currency, and hundredths for a code it does not know rather than failing', () => {
  expect([minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD'), minorDigits('nonsense')]).toEqual([2, 0, 3, 2]);
  expect([inUnits(1_200, 'JPY'), inUnits(1_250, 'KWD'), inUnits(4_250, 'EUR'), inUnits(4_250, '')]).toEqual([1_200, 1.25, 42.5, 42.5]);
});
