import { Router, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { DataSource } from 'typeorm';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { giftAllowance, giftRecipient, giftSent, giveToMember } from '../loyalty/member-gifts.js';
import { signInAddress } from '../loyalty/member-sign-in.js';
import { Refusal } from '../loyalty/refusal.js';
import { formField, isFormKey, newFormKey } from './form-fields.js';
import { giftConfirmPage, giftPage, giftSentPage, type GiftForm } from './gift-pages.js';
import { memberPage, points } from './page-layout.js';
import { answer, memberOf } from './signed-in.js';

export interface GiftsDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** Recipients one member may look up in an hour (a gift looks up twice: asked, then confirmed): enough to give, too few to probe who is a member. */
  lookupsPerHour?: number;
}

const noRecipient = 'No member can receive points at this address.';
const sentence = (reason: string) => `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;

/** What the member typed, checked before anyone is looked up; the errors say what to type. */
function readGift(body: unknown): { to: string; points: number } | { form: GiftForm } {
  const to = formField(body, 'to').trim();
  const typedPoints = formField(body, 'points').trim();
  const errors: GiftForm['errors'] = {};
  if (!signInAddress(to)) errors.to = 'Enter an email address, or a mobile number starting with + and the country code';
  const amount = /^[0-9]{1,12}$/.test(typedPoints) ? Number(typedPoints) : 0;
  if (amount < 1) errors.points = 'Enter a whole number of points, 1 or more';
  return Object.keys(errors).length > 0 ? { form: { to, points: typedPoints, errors } } : { to, points: amount };
}

/** A refusal of the program, under the field it concerns; null for one a member's form cannot cause. */
function refusalForm(error: Refusal, gift: { to: string; points: number }): GiftForm | null {
  const form = { to: gift.to, points: String(gift.points) };
  switch (error.code) {
    case 'member_not_found':
      return { ...form, errors: { to: noRecipient } };
    case 'transfer_refused':
      return { ...form, errors: error.field === 'to' ? { to: sentence(error.reason) } : { points: sentence(error.reason) } };
    case 'insufficient_funds':
      return { ...form, errors: { points: `You have ${points(Number(error.details.available))} points available.` } };
    case 'idempotency_conflict':
      return { ...form, errors: { points: 'This confirmation was already used for another gift. Please continue and confirm again.' } };
    default:
      return null;
  }
}

/**
 * Gifts of points to another member, for the signed-in member: `/gift` (to whom and how many),
 * its confirmation naming the recipient as the giver may see them, and `/gift/sent/:key`.
 */
export function giftsRouter({ dataSource, ledger, lookupsPerHour = 30 }: GiftsDependencies): Router {
  const router = Router();
  const showForm = async (res: Response, status: number, form: GiftForm) =>
    res
      .status(status)
      .type('html')
      .send(giftPage(await giftAllowance(dataSource.manager, memberOf(res)), form));

  const lookupLimit = rateLimit({
    windowMs: 60 * 60_000,
    limit: lookupsPerHour,
    keyGenerator: (_req, res) => memberOf(res),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) =>
      res
        .status(429)
        .type('html')
        .send(
          memberPage(
            'Try again later',
            '<h1>Please try again later</h1><p>You looked up many addresses in the last hour. Wait a while, then try again.</p>',
            { signedIn: true },
          ),
        ),
  });

  router.get(
    '/gift',
    answer(async (_req, res) => showForm(res, 200, {})),
  );

  router.post(
    '/gift',
    lookupLimit,
    answer(async (req, res) => {
      const gift = readGift(req.body);
      if ('form' in gift) return showForm(res, 400, gift.form);
      try {
        const recipient = await giftRecipient(dataSource.manager, memberOf(res), gift.to);
        res.type('html').send(giftConfirmPage({ ...gift, recipient: recipient.label, key: newFormKey() }));
      } catch (error) {
        const form = error instanceof Refusal ? refusalForm(error, gift) : null;
        if (!form) throw error;
        await showForm(res, 422, form);
      }
    }),
  );

  // The confirmation looks the recipient up too, and refuses a stranger otherwise than a member.
  router.post(
    '/gift/confirm',
    lookupLimit,
    answer(async (req, res) => {
      const gift = readGift(req.body);
      const key = formField(req.body, 'key');
      if ('form' in gift) return showForm(res, 400, gift.form);
      if (!isFormKey(key)) return showForm(res, 400, { to: gift.to, points: String(gift.points) });
      try {
        await inTransaction(dataSource, (manager) =>
          giveToMember(manager, ledger, { fromMemberId: memberOf(res), to: gift.to, points: gift.points, key: `dashboard:${key}` }),
        );
        res.redirect(303, `/member/gift/sent/${key}`);
      } catch (error) {
        const form = error instanceof Refusal ? refusalForm(error, gift) : null;
        if (!form) throw error;
        await showForm(res, 422, form);
      }
    }),
  );

  router.get(
    '/gift/sent/:key',
    answer(async (req, res) => {
      const key = String(req.params.key);
      const sent = isFormKey(key) ? await giftSent(dataSource.manager, memberOf(res), `dashboard:${key}`) : null;
      if (!sent) {
        return res
          .status(404)
          .type('html')
          .send(memberPage('Not found', '<h1>No such gift of yours</h1><p><a href="/member/gift">Give points</a></p>', { signedIn: true }));
      }
      res.type('html').send(giftSentPage(sent));
    }),
  );

  return router;
}
