import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { estimateEarning } from '../loyalty/earning/estimate-earning.js';
import { walletStatus } from '../loyalty/funding.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { LedgerAccount, Member } from '../entities/index.js';
import { verifyWidgetToken } from '../loyalty/widget-tokens.js';
import { invalidRequest, sendProblem } from './problem.js';

const widgetScript = fileURLToPath(new URL('./widget/earn-widget.js', import.meta.url));
const stateQuery = z.object({
  token: z.string().min(10).max(2_000),
  amountCents: z.coerce.number().int().min(0).max(100_000_000).optional(),
});

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
    const parsed = stateQuery.safeParse(req.query);
    if (!parsed.success) throw invalidRequest('query', parsed.error);
    const claims = await verifyWidgetToken(dataSource.manager, parsed.data.token);
    if (!claims) return sendProblem(res, { status: 401, title: 'Unauthorized', detail: 'query.token: unknown or expired widget token' });
    const wallet = await walletStatus(dataSource.manager, claims.partnerId);
    if (!wallet.enabled) return res.json({ enabled: false });
    const member = await dataSource.manager.findOneBy(Member, { externalId: claims.externalId });
    const account = member ? await dataSource.manager.findOneBy(LedgerAccount, { memberId: member.id }) : null;
    const balance = account ? (await balanceOf(dataSource.manager, account.id)).available : 0;
    const estimate =
      parsed.data.amountCents === undefined
        ? null
        : await estimateEarning(dataSource.manager, claims.externalId, {
            type: 'purchase',
            partnerId: claims.partnerId,
            amountCents: parsed.data.amountCents,
            occurredAt: new Date(),
          });
    res.json({ enabled: true, balance, estimate: estimate && { points: estimate.points, explanation: estimate.explanation } });
  });
  return router;
}
