import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { LedgerError } from '../loyalty/ledger/errors.js';
import { Refusal, refusalCodes, type RefusalCode, type RefusalKind } from '../loyalty/refusal.js';

/** One field at fault, where the client put it (`body.reward`, `path.externalId`, `header.Idempotency-Key`). */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem document; its `code` is one the OpenAPI document lists. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code: ApiCode | RefusalCode;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function sendProblem(res: Response, problem: Problem): void {
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({ type: 'about:blank', ...problem });
}

/** A refusal the API answers as a problem document. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** A problem about fields: the detail lists them, `errors` names each. */
export function fieldProblem(status: number, title: string, code: ApiCode, errors: FieldError[]): ProblemError {
  return new ProblemError({ title, status, code, detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });
}

/** A request that does not have the expected shape: 400, naming every field at fault. */
export function invalidRequest(where: 'body' | 'query' | 'path' | 'header', error: z.ZodError): ProblemError {
  const errors = error.issues.map((issue) => ({ field: [where, ...issue.path].join('.'), message: issue.message }));
  return fieldProblem(400, 'Invalid request', 'invalid_request', errors);
}

/** Refusals of the API itself, before the program is asked. */
export const apiCodes = {
  invalid_request: 'Invalid request',
  unauthorized: 'Unauthorized',
  idempotency_key_reused: 'Idempotency key reused',
  unsupported_media_type: 'Unsupported media type',
  method_not_allowed: 'Method not allowed',
  not_found: 'Not found',
  rate_limited: 'Too many requests',
  body_too_large: 'Request body too large',
  internal_error: 'Internal server error',
  codes_unavailable: 'Codes cannot be sent',
  receipts_unavailable: 'Receipts cannot be sent',
} as const;
export type ApiCode = keyof typeof apiCodes;

/** HTTP status of each of the API's own codes. */
export const statusOfApiCode: Record<ApiCode, number> = {
  invalid_request: 400,
  unauthorized: 401,
  idempotency_key_reused: 409,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  not_found: 404,
  rate_limited: 429,
  body_too_large: 413,
  internal_error: 500,
  codes_unavailable: 503,
  receipts_unavailable: 503,
};

/** HTTP status of each kind of refusal: a new kind fails the typecheck until it is mapped. */
export const statusOfKind: Record<RefusalKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  forbidden: 403,
  too_many: 429,
};

/** The title of each refusal code: a new code fails the typecheck until it is titled (and documented). */
export const titleOfCode: Record<RefusalCode, string> = {
  invalid_transfer: 'Invalid request',
  account_not_found: 'Account not found',
  transfer_not_found: 'Transfer not found',
  member_not_found: 'Member not found',
  event_not_found: 'Event not found',
  package_not_found: 'Package not found',
  partner_not_found: 'Partner not found',
  order_not_found: 'Order not found',
  idempotency_conflict: 'Idempotency key reused',
  not_reversible: 'Not reversible',
  pending_transfer_resolved: 'Already settled',
  report_conflict: 'Order already reported otherwise',
  insufficient_funds: 'Not enough points',
  event_refused: 'Event refused',
  refund_refused: 'Refund refused',
  redemption_refused: 'Redemption refused',
  transfer_refused: 'Transfer refused',
  adjustment_refused: 'Adjustment refused',
  company_refused: 'Company request refused',
  merge_refused: 'Members cannot be merged yet',
  erasure_refused: 'The member cannot be erased now',
  campaign_refused: 'The campaign cannot be saved or changed so',
  campaign_not_found: 'No such campaign',
  segment_refused: 'The segment cannot be saved so',
  segment_not_found: 'No such segment',
  not_allowed: 'Not allowed',
  member_authorization_required: "The member's authorization is needed",
  member_authorization_refused: "The member's authorization was refused",
  member_unreachable: 'The member cannot be reached',
  too_many_codes: 'Too many codes asked for',
  invalid_profile: 'Invalid profile',
  invalid_range: 'Invalid date range',
  funding_source_not_found: 'Funding source not found',
  funding_source_refused: 'Funding source refused',
  funding_source_short: 'Funding source short of points',
  payment_not_found: 'Payment not found',
  payment_refused: 'Payment refused by the program rules',
  payment_currency_mismatch: "Not the program's currency",
  payment_already_captured: 'Payment already captured',
  payment_not_authorized: 'Payment no longer authorized',
  payment_over_capture: 'More than was authorized',
  payment_not_captured: 'Payment not captured',
  payment_over_refund: 'More than is left to refund',
  exchange_rate_missing: 'No exchange rate for this currency',
  credit_refused: 'Store credit refused',
  retirement_refused: 'Partition retirement refused',
  challenge_not_found: 'No such challenge',
  challenge_refused: 'The challenge cannot be saved so',
  badge_refused: 'The badge cannot be saved so',
  leaderboard_not_found: 'No such leaderboard',
  leaderboard_refused: 'The leaderboard cannot be saved so',
  leaderboard_period_invalid: 'Not a period of a leaderboard',
  instant_win_not_found: 'No such instant-win campaign',
  instant_win_refused: 'The instant-win campaign cannot be saved so',
  receipt_not_found: 'Receipt not found',
  receipt_refused: 'The receipt cannot be taken',
  message_campaign_refused: 'The message campaign cannot be saved so',
  message_campaign_not_cancellable: 'The message campaign cannot be cancelled',
};

/** Every code a problem may carry with this status (all of them without one), for the OpenAPI document. */
export function problemCodes(status?: number): (ApiCode | RefusalCode)[] {
  const api = (Object.keys(apiCodes) as ApiCode[]).filter((code) => status === undefined || statusOfApiCode[code] === status);
  const refusals = (Object.keys(titleOfCode) as RefusalCode[]).filter(
    (code) => status === undefined || statusOfKind[refusalCodes[code]] === status,
  );
  return [...api, ...refusals];
}

/** Headers the program may name, as the client wrote them. */
const namedHeaders = ['Member-Authorization', 'Idempotency-Key'];

/** Where the client put a field the program names: a header, a path parameter, else the body. */
function located(req: Request, field: string): string {
  if (namedHeaders.includes(field)) return `header.${field}`;
  const root = field.split(/[.[]/)[0]!;
  return req.params && root in req.params ? `path.${field}` : `body.${field}`;
}

/**
 * The reason a client reads. The ledger's own refusals name accounts and transfers by internal
 * code; one that reaches a client unworded by the program is told without them.
 */
function clientReason(refusal: Refusal): string {
  if (!(refusal instanceof LedgerError)) return refusal.reason;
  const { available, requested } = refusal.details;
  return refusal.code === 'insufficient_funds' ? `${available} points available, ${requested} needed` : titleOfCode[refusal.code];
}

/** The problem document of a refusal, its field named where the client sent it. */
export function refusalProblem(req: Request, refusal: Refusal): Problem {
  const reason = clientReason(refusal);
  const errors = refusal.field ? [{ field: located(req, refusal.field), message: reason }] : [];
  return {
    title: titleOfCode[refusal.code],
    status: statusOfKind[refusal.kind],
    code: refusal.code,
    detail: errors.length > 0 ? `${errors[0]!.field}: ${reason}` : reason,
    errors,
  };
}

/** Last handler: refusals become their problem; a fault becomes a 500 without internals (logged). */
export function problemErrorHandler(logFault: (error: unknown, path: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ProblemError) return sendProblem(res, error.problem);
    if (error instanceof Refusal) return sendProblem(res, refusalProblem(req, error));
    // Errors raised by Express' own middleware (bad JSON, body too large, a bad charset, a path that
    // is not valid percent-encoding) carry a 4xx status.
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) {
      logFault(error, req.path);
      return sendProblem(res, { title: apiCodes.internal_error, status, code: 'internal_error' });
    }
    if (status === 413) return sendProblem(res, { title: apiCodes.body_too_large, status, code: 'body_too_large' });
    if (status === 415) {
      const problem = fieldProblem(415, apiCodes.unsupported_media_type, 'unsupported_media_type', [
        { field: 'header.Content-Type', message: 'must be application/json in UTF-8' },
      ]);
      return sendProblem(res, problem.problem);
    }
    const field = error?.type === 'entity.parse.failed' ? 'body' : error instanceof URIError ? 'path' : undefined;
    const message = field === 'body' ? 'is not valid JSON' : field === 'path' ? 'is not valid percent-encoding' : 'is malformed';
    sendProblem(res, fieldProblem(400, 'Malformed request', 'invalid_request', [{ field: field ?? 'request', message }]).problem);
  };
}

/** The last route of a router: a path it does not know is a 404 problem, naming what was asked. */
export const noSuchEndpoint: RequestHandler = (req, res) =>
  sendProblem(res, {
    status: 404,
    title: apiCodes.not_found,
    code: 'not_found',
    detail: `No endpoint ${req.method} ${req.baseUrl}${req.path}`,
  });
