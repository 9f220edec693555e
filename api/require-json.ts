import type { RequestHandler } from 'express';
import { apiCodes, fieldProblem } from './problem.js';

/** Writes are JSON: anything else (or nothing) is a 415, before the body is looked at. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const mediaType = (req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw fieldProblem(415, apiCodes.unsupported_media_type, 'unsupported_media_type', [
      { field: 'header.Content-Type', message: 'must be application/json (send {} for an empty body)' },
    ]);
  }
  next();
};
