import { getCountries } from 'libphonenumber-js/max';
import type { Redemption } from '../entities/index.js';

/** Where a reward is shipped: a person's name and a postal address. */
export interface DeliveryAddress {
  name: string;
  street: string;
  /** Empty in the countries that have no postal codes. */
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2, in capitals. */
  country: string;
}

export type DeliveryAddressErrors = Partial<Record<keyof DeliveryAddress, string>>;

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Every country a parcel may go to (ISO 3166-1 alpha-2), by its English name. */
export const deliveryCountries: { code: string; name: string }[] = getCountries()
  .map((code) => ({ code: String(code), name: regionNames.of(code) ?? String(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));
const countryCodes = new Set(deliveryCountries.map((c) => c.code));

/** Countries whose addresses have no postal code (as the Universal Postal Union lists them). */
const withoutPostalCodes = new Set(
  'AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK KI KM KN KP LC ML MO MR MW NR NU QA RW SB SC SL SR ST SY TF TG TK TL TO TT TV UG VU YE ZW'.split(
    ' ',
  ),
);

/** The postal codes of the countries the coalition's members mostly live in, with the way they are written. */
const postalFormats: Record<string, { pattern: RegExp; written: (m: RegExpExecArray) => string; hint: string }> = {
  NL: {
    pattern: /^(\d{4}) ?([A-Z]{2})$/,
    written: (m) => `${m[1]} ${m[2]}`,
    hint: 'a Dutch postal code: 4 digits and 2 letters, like 1012 AB',
  },
  BE: { pattern: /^(\d{4})$/, written: (m) => m[1]!, hint: 'a Belgian postal code: 4 digits, like 1000' },
  DE: { pattern: /^(\d{5})$/, written: (m) => m[1]!, hint: 'a German postal code: 5 digits, like 10115' },
  FR: { pattern: /^(\d{5})$/, written: (m) => m[1]!, hint: 'a French postal code: 5 digits, like 75001' },
  GB: {
    pattern: /^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$/,
    written: (m) => `${m[1]} ${m[2]}`,
    hint: 'a UK postcode, like SW1A 1AA',
  },
  US: { pattern: /^(\d{5}(?:-\d{4})?)$/, written: (m) => m[1]!, hint: 'a ZIP code: 5 digits, like 10001' },
};
const anyPostalCode = /^[A-Z0-9][A-Z0-9 -]{0,10}[A-Z0-9]$/;

/** A form's text on one line, without the spaces around it. */
const text = (value: unknown) => (typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '');

function required(value: string, max: number, missing: string, what: string): string | undefined {
  if (value === '') return missing;
  if (value.length > max) return `Enter ${what} in at most ${max} characters`;
  return undefined;
}

/**
 * A delivery address as a member typed it (`name`, `street`, `postalCode`, `city`, `country`),
 * tidied, or what is wrong with each field, in words meant to be shown under it.
 */
export function readDeliveryAddress(form: Record<string, unknown>): { address: DeliveryAddress } | { errors: DeliveryAddressErrors } {
  const name = text(form.name);
  const street = text(form.street);
  const city = text(form.city);
  const country = text(form.country).toUpperCase();
  const typedPostalCode = text(form.postalCode).toUpperCase();
  const errors: DeliveryAddressErrors = {};
  const fault = (field: keyof DeliveryAddress, message: string | undefined) => {
    if (message) errors[field] = message;
  };
  fault('name', required(name, 100, 'Enter the name of the person who receives the parcel', 'the name'));
  fault('street', required(street, 200, 'Enter the street and house number', 'the street'));
  fault('city', required(city, 100, 'Enter the city', 'the city'));
  if (!countryCodes.has(country)) fault('country', 'Choose a country from the list');

  let postalCode = typedPostalCode;
  const format = postalFormats[country];
  const matched = format?.pattern.exec(typedPostalCode);
  if (format) {
    if (matched) postalCode = format.written(matched);
    else fault('postalCode', `Enter ${format.hint}`);
  } else if (typedPostalCode === '') {
    if (!withoutPostalCodes.has(country)) fault('postalCode', 'Enter the postal code');
  } else if (!anyPostalCode.test(typedPostalCode)) {
    fault('postalCode', 'Enter the postal code as it is written on your mail: letters, digits, spaces and hyphens');
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { address: { name, street, postalCode, city, country } };
}

/** The country's English name. */
export const countryName = (code: string) => regionNames.of(code) ?? code;

/** The address on one line, as staff and the member read it: "Ann de Vries, Damrak 1, 1012 LG Amsterdam, Netherlands". */
export function deliveryAddressLine(a: DeliveryAddress): string {
  return [a.name, a.street, [a.postalCode, a.city].filter(Boolean).join(' '), countryName(a.country)].join(', ');
}

/** The address a redemption ships to, when the member gave one. */
export function shippingAddressOf(
  r: Pick<Redemption, 'shipToName' | 'shipToStreet' | 'shipToPostalCode' | 'shipToCity' | 'shipToCountry'>,
): DeliveryAddress | null {
  if (r.shipToName === null || r.shipToCountry === null) return null;
  return {
    name: r.shipToName,
    street: r.shipToStreet ?? '',
    postalCode: r.shipToPostalCode ?? '',
    city: r.shipToCity ?? '',
    country: r.shipToCountry,
  };
}
