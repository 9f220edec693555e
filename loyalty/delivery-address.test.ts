import { expect, it } from 'vitest';
import { deliveryAddressLine, readDeliveryAddress } from './delivery-address.js';

const amsterdam = { name: ' Ann de Vries ', street: 'Damrak 1', postalCode: '1012lg', city: 'Amsterdam', country: 'nl' };

it('reads an address as the member typed it, tidied: trimmed, the country and a Dutch postal code in capitals', () => {
  expect(readDeliveryAddress(amsterdam)).toEqual({
    address: { name: 'Ann de Vries', street: 'Damrak 1', postalCode: '1012 LG', city: 'Amsterdam', country: 'NL' },
  });
});

it('names every field at fault, in words', () => {
  expect(readDeliveryAddress({ name: '', street: ' ', postalCode: '10124', city: 'x'.repeat(101), country: 'nl' })).toEqual({
    errors: {
      name: 'Enter the name of the person who receives the parcel',
      street: 'Enter the street and house number',
      postalCode: 'Enter a Dutch postal code: 4 digits and 2 letters, like 1012 AB',
      city: 'Enter the city in at most 100 characters',
    },
  });
  expect(readDeliveryAddress({ ...amsterdam, country: 'Atlantis' })).toEqual({ errors: { country: 'Choose a country from the list' } });
  expect(readDeliveryAddress({ ...amsterdam, country: 'FR', postalCode: '7500' })).toEqual({
    errors: { postalCode: 'Enter a French postal code: 5 digits, like 75001' },
  });
  expect(readDeliveryAddress({ ...amsterdam, country: 'JP', postalCode: '' })).toEqual({ errors: { postalCode: 'Enter the postal code' } });
  expect(readDeliveryAddress({ ...amsterdam, country: 'JP', postalCode: '100-0001' })).toMatchObject({
    address: { postalCode: '100-0001' },
  });
  // Where there are no postal codes, none is asked for.
  expect(readDeliveryAddress({ ...amsterdam, city: 'Hong Kong', country: 'HK', postalCode: '' })).toMatchObject({
    address: { postalCode: '', country: 'HK' },
  });
});

it('writes an address on one line, the way staff read it in the queue', () => {
  const read = readDeliveryAddress(amsterdam);
  expect('address' in read && deliveryAddressLine(read.address)).toBe('Ann de Vries, Damrak 1, 1012 LG Amsterdam, Netherlands');
});
