import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import type { Partner } from '../entities/index.js';
import { authenticateApiKey } from '../loyalty/api-keys.js';
import { apiCodes, sendProblem } from './problem.js';

export interface PartnerLocals {
  partner: Partner;
  apiKeyId: string;
}

/** Authenticates `Authorization: Bearer <key>` (or `X-Api-Key`) and puts the partner in res.locals. */
export function partnerAuth(dataSource: DataSource): RequestHandler {
  return async (req, res, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
    const presented = bearer ?? req.header('x-api-key');
    if (!presented) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendProblem(res, {
        status: 401,
        title: apiCodes.unauthorized,
        code: 'unauthorized',
        detail: 'Send your API key as "Authorization: Bearer <key>"',
      });
    }
    try {
      const found = await authenticateApiKey(dataSource.manager, presented);
      if (!found) {
        return sendProblem(res, {
          status: 401,
          title: apiCodes.unauthorized,
          code: 'unauthorized',
          detail: 'The API key is unknown or revoked',
        });
      }
      res.locals.partner = found.partner;
      res.locals.apiKeyId = found.key.id;
      next();
    } catch (error) {
      next(error);
    }
  };
}
