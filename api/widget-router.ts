import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { estimateEarning } from '../loyalty/earning/estimate-earning.js';
import { walletStatus } from '../loyalty/funding.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { MemberNotFoundError, resolveCustomer } from '../loyalty/member-identity.js';
import { verifyWidgetToken } from '../loyalty/widget-tokens.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { apiCodes, fieldProblem, invalidRequest, sendProblem } from './problem.js';
import { widgetState } from './responses.js';
import { widgetStateQuery } from './schemas.js';

const widgetScript = fileURLToPath(new URL('./widget/earn-widget.js', import.meta.url));

/** The earn widget: its script, and the state it shows (public, CORS-open, token-bound). */
export function widgetRouter(dataSource: DataSource): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    next();
  });
  router.get('/widget.js', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('js').sendFile(widgetScript);
  });
  router.get('/widget/v1/state', async (req, res) => {
    const parsed = widgetStateQuery.safeParse(req.query);
    if (!parsed.success) throw invalidRequest('query', parsed.error);
    const claims = await verifyWidgetToken(dataSource.manager, parsed.data.token);
    if (!claims) {
      const problem = fieldProblem(401, apiCodes.unauthorized, 'unauthorized', [
        { field: 'query.token', message: 'unknown or expired widget token' },
      ]);
      return sendProblem(res, problem.problem);
    }
    const wallet = await walletStatus(dataSource.manager, claims.partnerId);
    if (!wallet.enabled) return res.json({ enabled: false } satisfies z.output<typeof widgetState>);
    // A customer the store has not sent an event for yet is no member yet: nothing earned so far.
    const known = await resolveCustomer(dataSource.manager, { partnerId: claims.partnerId, customerId: claims.externalId }).catch(
      (error) => {
        if (error instanceof MemberNotFoundError) return null;
        throw error;
      },
    );
    const balance = known ? (await balanceOf(dataSource.manager, known.account.id)).available : 0;
    const estimate =
      parsed.data.amountCents === undefined
        ? null
        : await estimateEarning(dataSource.manager, known?.member.id ?? null, {
            type: 'purchase',
            partnerId: claims.partnerId,
            amountCents: parsed.data.amountCents,
            occurredAt: new Date(),
          });
    const state: z.output<typeof widgetState> = {
      enabled: true,
      balance,
      estimate: estimate && { points: estimate.points, explanation: estimate.explanation },
    };
    res.json(state);
  });
  refuseOtherMethods(router);
  return router;
}
