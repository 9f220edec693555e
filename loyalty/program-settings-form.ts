import type { BirthdayChannel, ErasureForfeiture, ExpiryPolicy, RefundShortfallPolicy } from '../entities/index.js';
import { checkBirthdaySettings } from './birthdays.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { given, limits, oneOf, text, wholeNumber, requiredText } from './field-checks.js';
import { isCurrency, parsePrice } from './money.js';

/** How each way points can expire reads to the staff who choose one. */
export const expiryModeLabels: Record<ExpiryPolicy['mode'], string> = {
  period: 'a number of months after they are earned',
  fixed_date: 'on a fixed date each year',
  anniversary: "on the member's enrolment anniversary",
  never: 'never',
};

export const refundShortfallLabels: Record<RefundShortfallPolicy, string> = {
  debt: 'take what is there, recover the rest from the next earns',
  refuse: 'refuse the refund',
};

export const erasureForfeitureLabels: Record<ErasureForfeiture, string> = {
  breakage: 'to breakage, each lot attributed to its funder',
  funders: 'back to the wallets of the partners who funded them',
};

export const birthdayChannelLabels: Record<BirthdayChannel, string> = {
  email: 'email',
  sms: 'text message',
  email_or_sms: 'email, else text message',
};

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** The days of each month in a common year: a fixed date on 29 February would fall on 1 March three years in four. */
const daysIn = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The expiry policy in a sentence: "Points expire 12 months after they are earned". */
export function describeExpiryPolicy(policy: Partial<Record<string, unknown>> | null | undefined): string {
  const months = (n: unknown) => `${n} month${Number(n) === 1 ? '' : 's'}`;
  switch (policy?.mode) {
    case 'never':
      return 'Points never expire';
    case 'period':
      return `Points expire ${months(policy.months)} after they are earned`;
    case 'fixed_date': {
      const years = Number(policy.yearsAfter ?? 0);
      const date = `${policy.day} ${monthNames[Number(policy.month) - 1] ?? '?'}`;
      return years === 0
        ? `Points expire on the first ${date} after they are earned`
        : `Points expire on ${date}, ${years} year${years === 1 ? '' : 's'} after the first one after they are earned`;
    }
    case 'anniversary':
      return `Points expire on the member's first enrolment anniversary at least ${months(policy.minimumMonths)} after they are earned`;
    default:
      return '';
  }
}

/** The fields of the expiry policy its mode needs, each in its range. */
function checkExpiryPolicy(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const mode = values['expiryPolicy.mode'];
  const modeProblem = oneOf(mode, expiryModeLabels);
  if (modeProblem) return { 'expiryPolicy.mode': modeProblem };
  const field = (name: string, range: { min?: number; max?: number }) => {
    const problem = wholeNumber(values[`expiryPolicy.${name}`], range);
    if (problem) errors[`expiryPolicy.${name}`] = problem;
  };
  if (mode === 'period') field('months', { min: 1, max: 1_200 });
  if (mode === 'anniversary') field('minimumMonths', { max: 1_200 });
  if (mode === 'fixed_date') {
    field('month', { min: 1, max: 12 });
    field('day', { min: 1, max: 31 });
    field('yearsAfter', { max: 100 });
    const month = Number(text(values['expiryPolicy.month']));
    const day = Number(text(values['expiryPolicy.day']));
    if (!errors['expiryPolicy.month'] && !errors['expiryPolicy.day'] && day > daysIn[month - 1]!) {
      errors['expiryPolicy.day'] = `${monthNames[month - 1]} has at most ${daysIn[month - 1]} days`;
    }
  }
  return errors;
}

/** A number with at most two decimals (a comma taken for the point), from `min` (above it when `above`) to `max`. */
function decimalProblem(value: unknown, { min, max, above = false }: { min: number; max: number; above?: boolean }): string | undefined {
  if (!given(value)) return 'is required';
  const typed = text(value).replace(',', '.');
  const parsed = Number(typed);
  const refused = `must be a number ${above ? `above ${min}` : `from ${min}`} to ${max}, with at most two decimals (like 2 or 1.5)`;
  if (!/^\d+(\.\d{1,2})?$/.test(typed) || parsed > max || (above ? parsed <= min : parsed < min)) return refused;
  return undefined;
}

/** The guardrails of partners' own campaigns, within what any campaign may give. */
function checkPartnerCampaignGuardrails(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const multiplier = decimalProblem(values.partnerCampaignMaxMultiplier, { min: 1, max: 10 });
  if (multiplier) errors.partnerCampaignMaxMultiplier = multiplier;
  const perUnit = decimalProblem(values.partnerCampaignMaxPointsPerUnit, { min: 0, max: 1_000, above: true });
  if (perUnit) errors.partnerCampaignMaxPointsPerUnit = perUnit;
  const points = wholeNumber(values.partnerCampaignMaxPoints, { min: 1, max: 1_000_000 });
  if (points) errors.partnerCampaignMaxPoints = points;
  return errors;
}

/**
 * The program settings' form: the expiry policy, the tier window, the transfer limits (a day's at
 * least one transfer's), the care approval threshold, how far back events may be dated, the
 * policies chosen among their lists, the birthday settings and the guardrails of partners' campaigns.
 */
export function checkProgramSettings(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {
    ...checkBirthdaySettings(values),
    ...checkExpiryPolicy(values),
    ...checkPartnerCampaignGuardrails(values),
  };
  const number = (field: string, range: { min?: number; max?: number }) => {
    const problem = wholeNumber(values[field], range);
    if (problem) errors[field] = problem;
  };
  number('tierWindowDays', { min: 1, max: 3_660 });
  number('transferMaxPoints', { min: 1, max: limits.bigint });
  number('transferMaxPointsPerDay', { min: 1, max: limits.bigint });
  if (!errors.transferMaxPoints && !errors.transferMaxPointsPerDay) {
    if (Number(text(values.transferMaxPointsPerDay)) < Number(text(values.transferMaxPoints))) {
      errors.transferMaxPointsPerDay = 'must be at least the most one transfer may move';
    }
  }
  number('careApprovalThreshold', { max: limits.bigint });
  number('eventBackdateDays', { max: 366 });
  number('pendingDays', { max: 90 });
  for (const [field, labels] of [
    ['refundShortfall', refundShortfallLabels],
    ['erasureForfeiture', erasureForfeitureLabels],
    ['birthdayChannel', birthdayChannelLabels],
  ] as [string, Record<string, string>][]) {
    const problem = oneOf(values[field], labels);
    if (problem) errors[field] ??= problem;
  }
  for (const box of ['birthdayGreetings', 'partnerCampaignsNeedApproval']) {
    if (given(values[box]) && !['true', 'false', true, false].includes(values[box] as string | boolean))
      errors[box] = 'must be ticked or not';
  }
  const issuer = requiredText(values.invoiceIssuer);
  if (issuer) errors.invoiceIssuer = issuer;
  const vat = vatRateProblem(values.vatRatePercent);
  if (vat) errors.vatRatePercent = vat;
  if (!isCurrency(text(values.currency).toUpperCase())) errors.currency = 'must be a currency code, like EUR or USD';
  // Typed in the program's currency (as chosen on this form, else euros until it is right).
  const minimum = parsePrice(
    values.referralMinimum,
    isCurrency(text(values.currency).toUpperCase()) ? text(values.currency).toUpperCase() : 'EUR',
  );
  if ('problem' in minimum) errors.referralMinimum = `${minimum.problem}: the least purchase that qualifies a referred friend`;
  const pointValue = pointValueProblem(values.pointValueMinor);
  if (pointValue) errors.pointValueMinor = pointValue;
  if (text(values.clearingValueMinor) !== '' && pointValueProblem(values.clearingValueMinor)) {
    errors.clearingValueMinor =
      'must be an amount of cents above 0, with at most four decimals (like 1 or 0.5); empty for the value of a point';
  }
  const breakageShare = percentProblem(values.breakageOperatorSharePercent);
  if (breakageShare) errors.breakageOperatorSharePercent = breakageShare;
  return { ...errors, ...checkPaymentRules(values) };
}

/** Paying at checkout: the least points a payment uses, the largest share of a basket, the categories left out. */
function checkPaymentRules(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const least = wholeNumber(values.paymentMinPoints, { min: 1, max: limits.bigint });
  if (least) errors.paymentMinPoints = least;
  const share = decimalProblem(values.paymentMaxSharePercent, { min: 0, max: 100, above: true });
  if (share) errors.paymentMaxSharePercent = share;
  const categories = text(values.paymentExcludedCategories).split(',');
  // eslint-disable-next-line no-control-regex -- a category is typed text, never control characters
  if (categories.some((category) => category.trim().length > 100 || /[\x00-\x1f\x7f]/.test(category))) {
    errors.paymentExcludedCategories = 'each category is at most 100 characters, separated by commas';
  }
  return errors;
}

/** What a point is worth in minor units (cents): above 0, at most 100,000, at most four decimals (0.5, 1, 1.25). */
export function pointValueProblem(value: unknown): string | undefined {
  const typed = text(value).replace(',', '.');
  if (typed === '') return 'is required: what one point pays, in cents (1 for a cent a point)';
  if (!/^\d{1,6}(\.\d{1,4})?$/.test(typed) || Number(typed) <= 0 || Number(typed) > 100_000) {
    return 'must be an amount of cents above 0, with at most four decimals (like 1 or 0.5)';
  }
  return undefined;
}

/** A VAT rate as a percent: 0 to 100, at most two decimals (5.5, 21). */
export function vatRateProblem(value: unknown): string | undefined {
  if (text(value) === '') return 'is required: 0 when no VAT applies';
  return percentProblem(value);
}

/** A percent from 0 to 100 with at most two decimals (5.5, 21). */
function percentProblem(value: unknown): string | undefined {
  const typed = text(value);
  if (typed === '') return 'is required';
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(typed) || Number(typed) > 100) return 'must be a percent from 0 to 100, like 21 or 5.5';
  return undefined;
}
