import type { EntityManager } from 'typeorm';
import { Tier } from '../entities/index.js';
import { checkTier, type FieldErrors } from './earning/configuration-checks.js';
import { codeFormat, given, oneOf, requiredText, text } from './field-checks.js';
import { emblemLabels } from './engagement/emblems.js';
import type { Editing } from './partner-checks.js';

const number = new Intl.NumberFormat('en');

/**
 * A tier's form: a code no other tier has, a name, and the threshold and multiplier the program
 * reads (checkTier); two tiers never start at the same threshold, or members would be in both.
 */
export async function checkTierForm(manager: EntityManager, values: Record<string, unknown>, editing: Editing = {}): Promise<FieldErrors> {
  const errors: FieldErrors = checkTier(values);
  const code = codeFormat(values.code);
  if (code) errors.code = code;
  const name = requiredText(values.name);
  if (name) errors.name = name;
  if (given(values.levelName) && text(values.levelName).length > 40) errors.levelName = 'must be at most 40 characters';
  if (given(values.levelEmblem)) {
    const emblem = oneOf(values.levelEmblem, emblemLabels);
    if (emblem) errors.levelEmblem = emblem;
  } else if (given(values.levelName)) errors.levelEmblem = 'is required for a level: choose one of the emblems';
  const others = (await manager.find(Tier)).filter((tier) => tier.id !== editing.id);
  if (!code && others.some((tier) => tier.code === text(values.code))) errors.code = 'another tier has this code';
  const clash = errors.threshold ? undefined : others.find((tier) => tier.threshold === Number(text(values.threshold)));
  if (clash) {
    errors.threshold = `${clash.name} starts at ${number.format(clash.threshold)} points: each tier needs a threshold of its own`;
  }
  return errors;
}
