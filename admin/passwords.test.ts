import { expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';

it('accepts the right password and refuses a wrong one or a malformed hash', async () => {
  const stored = await hashPassword('correct horse');
  expect(stored).toMatch(/^scrypt\$[^$]+\$[^$]+$/);
  expect(stored).not.toContain('correct horse');
  expect(await verifyPassword('correct horse', stored)).toBe(true);
  expect(await verifyPassword('correct horsf', stored)).toBe(false);
  expect(await verifyPassword('correct horse', 'plain-text')).toBe(false);
  expect(await hashPassword('correct horse')).not.toBe(stored);
});
