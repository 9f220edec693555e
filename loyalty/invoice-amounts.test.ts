import { expect, it } from 'vitest';
import { vatBreakdown } from './invoice-amounts.js';

it('splits a price that includes VAT into net and VAT that add up to it, to the cent', () => {
  expect(vatBreakdown(121_000, 21)).toEqual({ netMinor: 100_000, vatMinor: 21_000, grossMinor: 121_000 });
  expect(vatBreakdown(4_900, 21)).toEqual({ netMinor: 4_050, vatMinor: 850, grossMinor: 4_900 });
  expect(vatBreakdown(999, 5.5)).toEqual({ netMinor: 947, vatMinor: 52, grossMinor: 999 });
  expect(vatBreakdown(4_900, 0)).toEqual({ netMinor: 4_900, vatMinor: 0, grossMinor: 4_900 });
});
