import type { EntityManager } from 'typeorm';
import { FundingSource, type FundingSourceKind } from '../../entities/index.js';
import type { FieldErrors } from '../earning/configuration-checks.js';
import { codeFormat, emailAddress, given, limits, oneOf, requiredText, text, wholeNumber } from '../field-checks.js';
import { partnerProblem } from '../partner-checks.js';

/** How each kind of source reads to the staff who choose one. */
export const fundingSourceKindLabels: Record<FundingSourceKind, string> = {
  partner: 'Partner budget',
  brand: 'Brand budget',
  operator: 'Operator budget',
};

/**
 * A new funding source's form: a code no other source has, a name, a kind, its owner partner
 * exactly when it is a partner's budget, an alert level of 0 points or more and an optional email.
 */
export async function checkNewFundingSource(manager: EntityManager, values: Record<string, unknown>): Promise<FieldErrors> {
  const errors: FieldErrors = { ...checkFundingSourceSettings(values) };
  const code = codeFormat(values.code);
  if (code) errors.code = code;
  else if (await manager.existsBy(FundingSource, { code: text(values.code) })) errors.code = 'another funding source has this code';
  const kind = oneOf(values.kind, fundingSourceKindLabels);
  if (kind) errors.kind = kind;
  if (values.kind === 'partner') {
    const owner = await partnerProblem(manager, values.ownerPartnerId);
    if (owner) errors.ownerPartnerId = owner;
  } else if (given(values.ownerPartnerId)) {
    errors.ownerPartnerId = "only a partner's own budget has an owner partner: leave it empty";
  }
  return errors;
}

/** What can change on a source once made: its name, alert level and alert email (its kind and owner never). */
export function checkFundingSourceSettings(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const name = requiredText(values.name, 100);
  if (name) errors.name = name;
  const threshold = wholeNumber(values.lowBalanceThreshold, { max: limits.bigint });
  if (threshold) errors.lowBalanceThreshold = threshold;
  const email = emailAddress(values.alertEmail, { optional: true });
  if (email) errors.alertEmail = email;
  return errors;
}

/** An allocation's form: a whole number of points above 0 and a reference (one reference allocates once). */
export function checkAllocation(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const points = wholeNumber(values.points, { min: 1, max: limits.bigint });
  if (points) errors.points = points;
  const reference = requiredText(values.reference, 100);
  if (reference) errors.reference = reference;
  const note = given(values.note) && text(values.note).length > 500 ? 'must be at most 500 characters' : undefined;
  if (note) errors.note = note;
  return errors;
}
