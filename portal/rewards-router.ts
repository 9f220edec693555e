import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { ProcessStarter } from '../api/idempotent-write.js';
import { readDeliveryAddress, type DeliveryAddress } from '../loyalty/delivery-address.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { memberRedemption, memberRedemptions } from '../loyalty/member-rewards.js';
import { queuedBy } from '../loyalty/outbox.js';
import { redeemRewardOnce } from '../loyalty/redemptions.js';
import { Refusal } from '../loyalty/refusal.js';
import { catalogReward, rewardCatalog } from '../loyalty/reward-catalog.js';
import { maskedAddress } from '../loyalty/spending-authorization.js';
import { formField, isFormKey, newFormKey } from './form-fields.js';
import { memberPage, points } from './page-layout.js';
import { catalogPage, myRewardsPage, redemptionPage, rewardPage } from './reward-pages.js';
import { answer, memberOf } from './signed-in.js';

export interface RewardsDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** Starts what a redemption queued (its fulfilment, its hold's time limit) once it committed. */
  processes?: ProcessStarter;
  logFault: (error: unknown, path: string) => void;
}

/** A refusal of the program, in the member's words; null for one a member's form cannot cause. */
function refusalWords(error: Refusal): string | null {
  switch (error.code) {
    case 'insufficient_funds':
      return `This costs ${points(Number(error.details.requested))} points; you have ${points(Number(error.details.available))} available.`;
    case 'redemption_refused':
      return error.field === 'quantity' ? 'Sorry, this reward is out of stock.' : 'Sorry, this reward is no longer offered.';
    case 'idempotency_conflict':
      return 'This form was already used for another reward. Please confirm again.';
    default:
      return null;
  }
}

const notOffered = () =>
  memberPage('Not offered', '<h1>This reward is not offered</h1><p><a href="/member/rewards">See the rewards</a></p>', { signedIn: true });

/**
 * The rewards catalog and redemption, for the signed-in member: `/rewards` (filtered by category
 * and by what they can afford now), `/rewards/:code` (the confirmation step, with the delivery
 * address of a reward to ship), `/my-rewards` (codes and where each parcel stands).
 */
export function rewardsRouter({ dataSource, ledger, processes, logFault }: RewardsDependencies): Router {
  const router = Router();

  router.get(
    '/rewards',
    answer(async (req, res) => {
      const category = typeof req.query.category === 'string' && req.query.category !== '' ? req.query.category : null;
      const affordable = req.query.affordable === '1';
      const catalog = await rewardCatalog(dataSource.manager, memberOf(res), { category, affordable });
      res.type('html').send(catalogPage(catalog, { category, affordable }));
    }),
  );

  router.get(
    '/rewards/:code',
    answer(async (req, res) => {
      const found = await catalogReward(dataSource.manager, memberOf(res), String(req.params.code));
      if (!found) return res.status(404).type('html').send(notOffered());
      res.type('html').send(rewardPage(found, { key: newFormKey() }));
    }),
  );

  router.post(
    '/rewards/:code',
    answer(async (req, res) => {
      const memberId = memberOf(res);
      const found = await catalogReward(dataSource.manager, memberId, String(req.params.code));
      if (!found) return res.status(404).type('html').send(notOffered());
      const values = Object.fromEntries(
        ['name', 'street', 'postalCode', 'city', 'country'].map((name) => [name, formField(req.body, name)]),
      );
      const key = formField(req.body, 'key');
      // A form not made by this page: shown again, to be confirmed.
      if (!isFormKey(key))
        return res
          .status(400)
          .type('html')
          .send(rewardPage(found, { key: newFormKey(), values }));
      let shipTo: DeliveryAddress | null = null;
      if (found.reward.needsFulfilment) {
        const read = readDeliveryAddress(values);
        if ('errors' in read)
          return res
            .status(400)
            .type('html')
            .send(rewardPage(found, { key, values, errors: read.errors }));
        shipTo = read.address;
      }
      try {
        const { redemption, queued } = await inTransaction(dataSource, async (manager) => ({
          ...(await redeemRewardOnce(manager, ledger, {
            memberId,
            rewardCode: found.reward.code,
            quantity: 1,
            partnerId: null,
            key: `dashboard:${key}`,
            shipTo,
          })),
          queued: queuedBy(manager),
        }));
        if (queued.length > 0 && processes) await processes.dispatch(queued).catch((error) => logFault(error, req.path));
        // A replay lands on the same page: the copy was queued once, with the redemption.
        const emailed = await emailsCode(memberId, redemption);
        res.redirect(303, `/member/my-rewards/${redemption.id}${emailed ? '?emailed=1' : ''}`);
      } catch (error) {
        const words = error instanceof Refusal ? refusalWords(error) : null;
        if (!words) throw error;
        const current = (await catalogReward(dataSource.manager, memberId, found.reward.code)) ?? found;
        const nextKey = error instanceof Refusal && error.code === 'idempotency_conflict' ? newFormKey() : key;
        res
          .status(422)
          .type('html')
          .send(rewardPage(current, { key: nextKey, values, refusal: words }));
      }
    }),
  );

  /** Whether the member's copy of the code goes by email (queued with the redemption, sent by the worker). */
  async function emailsCode(memberId: string, redemption: { code: string | null }): Promise<boolean> {
    const { member } = await memberWithAccount(dataSource.manager, memberId);
    return redemption.code !== null && member.email !== null && member.emailVerifiedAt !== null;
  }

  router.get(
    '/my-rewards',
    answer(async (_req, res) => {
      res.type('html').send(myRewardsPage(await memberRedemptions(dataSource.manager, memberOf(res))));
    }),
  );

  router.get(
    '/my-rewards/:id',
    answer(async (req: Request, res: Response) => {
      const memberId = memberOf(res);
      const redemption = await memberRedemption(dataSource.manager, memberId, String(req.params.id));
      if (!redemption) {
        return res
          .status(404)
          .type('html')
          .send(
            memberPage('Not found', '<h1>This reward is not among yours</h1><p><a href="/member/my-rewards">My rewards</a></p>', {
              signedIn: true,
            }),
          );
      }
      const { member } = await memberWithAccount(dataSource.manager, memberId);
      const emailedTo = req.query.emailed === '1' && member.email ? maskedAddress(member.email) : undefined;
      res.type('html').send(redemptionPage(redemption, { emailedTo }));
    }),
  );

  return router;
}
