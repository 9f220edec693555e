/** What is wrong with a configuration record, field by field, in words the operator reads. */
export type FieldErrors = Record<string, string>;

const number = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN);

/**
 * A booster multiplies points: between ×0.1 and ×10, on exactly one target, and its period must
 * end after it starts. Values come as a form sends them (`target.category`, strings).
 */
export function checkBooster(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const targets = ['target.actionType', 'target.reference', 'target.category'].filter((k) => typeof values[k] === 'string' && values[k] !== '');
  if (targets.length !== 1) errors['target.category'] = 'fill exactly one of action type, reference or category';
  const coefficient = number(values.coefficient);
  if (!Number.isFinite(coefficient) || coefficient < 0.1 || coefficient > 10) {
    errors.coefficient = 'must be a number between 0.1 and 10 (2 doubles the points)';
  }
  const from = values.validFrom ? new Date(String(values.validFrom)) : null;
  const to = values.validTo ? new Date(String(values.validTo)) : null;
  if (from && to && !(to > from)) errors.validTo = 'must be after the start of the period';
  return errors;
}

/** A tier needs a non-negative threshold and a multiplier of at least 1 (at most 5). */
export function checkTier(values: { threshold?: unknown; multiplier?: unknown }): FieldErrors {
  const errors: FieldErrors = {};
  const threshold = number(values.threshold);
  if (!Number.isInteger(threshold) || threshold < 0) errors.threshold = 'must be a whole number of points, 0 or more';
  const multiplier = number(values.multiplier ?? 1);
  if (!Number.isFinite(multiplier) || multiplier < 1 || multiplier > 5) errors.multiplier = 'must be between 1 and 5';
  return errors;
}
