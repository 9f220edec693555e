/** What is wrong with a configuration record, field by field, in words the operator reads. */
export type FieldErrors = Record<string, string>;

const number = (value: unknown) =>
  typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;

/**
 * A booster multiplies points: between ×0.1 and ×10, on exactly one target, and its period must
 * end after it starts. Values come as a form sends them (`target.category`, strings).
 */
export function checkBooster(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const targets = ['target.actionType', 'target.reference', 'target.category'].filter(
    (k) => typeof values[k] === 'string' && values[k] !== '',
  );
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

const ruleFields: Record<string, string[]> = {
  per_amount: ['formula.pointsPerUnit', 'formula.rounding'],
  per_product: ['formula.reference', 'formula.pointsPerItem'],
  per_category: ['formula.category', 'formula.pointsPerUnit', 'formula.rounding'],
  per_visit: ['formula.points'],
  per_action: ['formula.actionType', 'formula.points'],
};
const numericRuleFields = new Set(['formula.pointsPerUnit', 'formula.pointsPerItem', 'formula.points']);

/** An earning rule's formula needs the fields of its kind: positive numbers, a rounding, a name. */
export function checkEarningRule(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const kind = String(values['formula.kind'] ?? '');
  const needed = ruleFields[kind];
  if (!needed) return { 'formula.kind': `must be one of ${Object.keys(ruleFields).join(', ')}` };
  for (const field of needed) {
    const value = values[field];
    if (numericRuleFields.has(field)) {
      const n = number(value);
      if (!Number.isFinite(n) || n <= 0) errors[field] = `is required for ${kind}: a number above 0`;
    } else if (field === 'formula.rounding') {
      if (!['down', 'up', 'nearest'].includes(String(value))) errors[field] = 'must be down, up or nearest';
    } else if (typeof value !== 'string' || value.trim() === '') {
      errors[field] = `is required for ${kind}`;
    }
  }
  for (const cap of ['caps.perEvent', 'caps.perMemberPerDay', 'caps.perMemberPerMonth']) {
    const value = values[cap];
    if (value !== undefined && value !== '' && value !== null && !(Number.isInteger(number(value)) && number(value) > 0)) {
      errors[cap] = 'must be a whole number of points above 0, or empty for no cap';
    }
  }
  return errors;
}
