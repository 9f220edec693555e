import type { ErrorRequestHandler, Response } from 'express';

/** An RFC 9457 problem document. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function sendProblem(res: Response, problem: Problem): void {
  res.status(problem.status).type('application/problem+json').json({ type: 'about:blank', ...problem });
}

/** Last handler: a fault becomes a 500 problem without internals; the log keeps the stack. */
export function problemErrorHandler(logFault: (error: unknown, path: string) => void): ErrorRequestHandler {
  return (error, req, res, _next) => {
    // Errors raised by Express' own middleware (bad JSON, body too large) carry a 4xx status.
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) logFault(error, req.path);
    sendProblem(res, {
      title: status >= 500 ? 'Internal Server Error' : String(error?.message ?? 'Bad Request'),
      status,
    });
  };
}
