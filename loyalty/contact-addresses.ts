import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Emails are compared as people type them in any case: stored trimmed and in lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A phone number in E.164 (`+33612345678`), or null when it is not one a person could be reached
 * at. Numbers are written in international form: the coalition spans countries, so a local number
 * has no country to assume.
 */
export function normalizePhone(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim());
  return parsed?.isValid() ? parsed.number : null;
}
