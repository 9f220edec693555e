import type { ErrorRequestHandler, Request, Response } from 'express';
import type { z } from 'zod';
import { Refusal, type RefusalCode, type RefusalKind } from '../loyalty/refusal.js';

/** One field at fault, where the client put it (`body.reward`, `path.externalId`, `header.Idempotency-Key`). */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem document. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
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
} as const;
export type ApiCode = keyof typeof apiCodes;

/** HTTP status of each kind of refusal: a new kind fails the typecheck until it is mapped. */
export const statusOfKind: Record<RefusalKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  forbidden: 403,
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
  not_allowed: 'Not allowed',
};

/** Where the client put a field the program names: a path parameter, else the body. */
function located(req: Request, field: string): string {
  const root = field.split(/[.[]/)[0]!;
  return req.params && root in req.params ? `path.${field}` : `body.${field}`;
}

/** The problem document of a refusal, its field named where the client sent it. */
export function refusalProblem(req: Request, refusal: Refusal): Problem {
  const errors = refusal.field ? [{ field: located(req, refusal.field), message: refusal.reason }] : [];
  return {
    title: titleOfCode[refusal.code],
    status: statusOfKind[refusal.kind],
    code: refusal.code,
    detail: errors.length > 0 ? `${errors[0]!.field}: ${refusal.reason}` : refusal.reason,
    errors,
  };
}

/** Last handler: refusals become their problem; a fault becomes a 500 without internals (logged). */
export function problemErrorHandler(logFault: (error: unknown, path: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ProblemError) return sendProblem(res, error.problem);
    if (error instanceof Refusal) return sendProblem(res, refusalProblem(req, error));
    // Errors raised by Express' own middleware (bad JSON, body too large) carry a 4xx status.
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status >= 500) logFault(error, req.path);
    if (status === 413) return sendProblem(res, { title: apiCodes.body_too_large, status, code: 'body_too_large' });
    if (status < 500 && error?.type === 'entity.parse.failed') {
      return sendProblem(
        res,
        fieldProblem(400, 'Malformed request', 'invalid_request', [{ field: 'body', message: 'is not valid JSON' }]).problem,
      );
    }
    sendProblem(res, { title: status >= 500 ? 'Internal Server Error' : 'Malformed request', status });
  };
}
