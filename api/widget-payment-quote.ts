import type { Request } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { programSettings } from '../loyalty/earning/program-settings.js';
import { balanceOf } from '../loyalty/ledger/accounts.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { quotePayment, usableBy } from '../loyalty/payments/payment-quote.js';
import { Refusal } from '../loyalty/refusal.js';
import { paymentQuote, paymentQuoteBody } from './payment-schemas.js';
import { apiCodes, fieldProblem, invalidRequest, ProblemError, refusalProblem } from './problem.js';

export const widgetPaymentQuoteBody = paymentQuoteBody
  .omit({ member: true })
  .extend({ token: z.string().min(10).max(2_000).describe('A token from POST /api/v1/widget-sessions') });

/**
 * What the signed-in member may pay with points on the widget's cart ("use N points on this
 * order"): the quote of the store's basket and the member's usable points. Only for a session this
 * store's widget opened: nothing is held until the store's server authorizes the payment.
 */
export async function widgetPaymentQuote(
  dataSource: DataSource,
  req: Request,
  storeOf: (token: string) => Promise<{ partnerId: string }>,
  sessionOf: (req: Request, partnerId: string) => Promise<{ memberId: string } | null>,
): Promise<z.output<typeof paymentQuote>> {
  const body = widgetPaymentQuoteBody.safeParse(req.body);
  if (!body.success) throw invalidRequest('body', body.error);
  const { partnerId } = await storeOf(body.data.token);
  const session = await sessionOf(req, partnerId);
  if (!session) {
    throw fieldProblem(401, apiCodes.unauthorized, 'unauthorized', [
      { field: 'header.Member-Authorization', message: 'the member signs in in this store’s widget first' },
    ]);
  }
  try {
    const quote = quotePayment(body.data, await programSettings(dataSource.manager));
    const { account } = await memberWithAccount(dataSource.manager, session.memberId);
    const { available } = await balanceOf(dataSource.manager, account.id);
    return { ...quote, member: usableBy(quote, available) };
  } catch (error) {
    throw error instanceof Refusal ? new ProblemError(refusalProblem(req, error)) : error;
  }
}
