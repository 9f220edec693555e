/**
 * How a refusal reads to whoever asked: the request was malformed, names something that does not
 * exist, conflicts with what was done before, breaks a rule of the program, is not theirs to make, or
 * comes too often.
 */
export const refusalKinds = ['invalid', 'not_found', 'conflict', 'unprocessable', 'forbidden', 'too_many'] as const;
export type RefusalKind = (typeof refusalKinds)[number];

/** Every reason the program refuses a request, with its kind. A new code is added here, once. */
export const refusalCodes = {
  invalid_transfer: 'invalid',
  account_not_found: 'not_found',
  transfer_not_found: 'not_found',
  member_not_found: 'not_found',
  event_not_found: 'not_found',
  package_not_found: 'not_found',
  partner_not_found: 'not_found',
  order_not_found: 'not_found',
  campaign_not_found: 'not_found',
  segment_not_found: 'not_found',
  idempotency_conflict: 'conflict',
  not_reversible: 'conflict',
  pending_transfer_resolved: 'conflict',
  report_conflict: 'conflict',
  insufficient_funds: 'unprocessable',
  event_refused: 'unprocessable',
  refund_refused: 'unprocessable',
  redemption_refused: 'unprocessable',
  transfer_refused: 'unprocessable',
  adjustment_refused: 'unprocessable',
  company_refused: 'unprocessable',
  campaign_refused: 'unprocessable',
  segment_refused: 'unprocessable',
  merge_refused: 'conflict',
  erasure_refused: 'conflict',
  not_allowed: 'forbidden',
  member_authorization_required: 'forbidden',
  member_authorization_refused: 'forbidden',
  member_unreachable: 'unprocessable',
  too_many_codes: 'too_many',
  invalid_profile: 'invalid',
  invalid_range: 'invalid',
  funding_source_not_found: 'not_found',
  funding_source_refused: 'unprocessable',
  funding_source_short: 'unprocessable',
  payment_not_found: 'not_found',
  payment_refused: 'unprocessable',
  payment_currency_mismatch: 'unprocessable',
  payment_already_captured: 'conflict',
  payment_not_authorized: 'conflict',
  payment_over_capture: 'unprocessable',
  payment_not_captured: 'conflict',
  payment_over_refund: 'unprocessable',
  exchange_rate_missing: 'unprocessable',
  credit_refused: 'unprocessable',
  retirement_refused: 'unprocessable',
  challenge_not_found: 'not_found',
  challenge_refused: 'unprocessable',
  badge_refused: 'unprocessable',
  leaderboard_not_found: 'not_found',
  leaderboard_refused: 'unprocessable',
  leaderboard_period_invalid: 'invalid',
  instant_win_not_found: 'not_found',
  instant_win_refused: 'unprocessable',
  receipt_not_found: 'not_found',
  receipt_refused: 'unprocessable',
  message_campaign_refused: 'unprocessable',
  message_campaign_not_cancellable: 'conflict',
} as const satisfies Record<string, RefusalKind>;
export type RefusalCode = keyof typeof refusalCodes;

/**
 * The program said no: nothing was written. `field` names what the caller sent that is at fault
 * (in the caller's words: `reward`, `to`, `lines[1].quantity`), when one thing is.
 */
export class Refusal extends Error {
  readonly kind: RefusalKind;

  constructor(
    readonly code: RefusalCode,
    readonly reason: string,
    readonly field?: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(field ? `${field}: ${reason}` : reason);
    this.kind = refusalCodes[code];
    this.name = new.target.name;
  }
}
