import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { LedgerError } from '../loyalty/ledger/errors.js';

/** An RFC 9457 problem document. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
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

/** A request that does not have the expected shape: 400, naming every field at fault. */
export function invalidRequest(where: 'body' | 'query' | 'path' | 'header', error: z.ZodError): ProblemError {
  const errors = error.issues.map((issue) => ({
    field: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
  return new ProblemError({
    title: 'Invalid request',
    status: 400,
    detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

/** How the program's refusals map to HTTP. */
const ledgerStatus: Record<string, { status: number; title: string }> = {
  invalid_transfer: { status: 400, title: 'Invalid request' },
  insufficient_funds: { status: 422, title: 'Not enough points' },
  event_refused: { status: 422, title: 'Event refused' },
  redemption_refused: { status: 422, title: 'Redemption refused' },
  transfer_refused: { status: 422, title: 'Transfer refused' },
  member_not_found: { status: 404, title: 'Member not found' },
  event_not_found: { status: 404, title: 'Event not found' },
  account_not_found: { status: 404, title: 'Account not found' },
  transfer_not_found: { status: 404, title: 'Transfer not found' },
  idempotency_conflict: { status: 409, title: 'Idempotency key reused' },
  not_reversible: { status: 409, title: 'Not reversible' },
  pending_transfer_resolved: { status: 409, title: 'Already settled' },
};

/** Last handler: refusals become their problem; a fault becomes a 500 without internals (logged). */
export function problemErrorHandler(logFault: (error: unknown, path: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ProblemError) return sendProblem(res, error.problem);
    if (error instanceof LedgerError) {
      const known = ledgerStatus[error.code];
      if (known) return sendProblem(res, { ...known, detail: error.message, code: error.code });
    }
    // Errors raised by Express' own middleware (bad JSON, body too large) carry a 4xx status.
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status >= 500) logFault(error, req.path);
    sendProblem(res, {
      title: status >= 500 ? 'Internal Server Error' : status === 413 ? 'Request body too large' : 'Malformed request',
      status,
      ...(status < 500 && error?.type === 'entity.parse.failed' ? { detail: 'body: is not valid JSON' } : {}),
    });
  };
}
