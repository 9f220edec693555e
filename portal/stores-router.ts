import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { linkStoreCustomer, memberStores, storeName, unlinkStore } from '../loyalty/member-stores.js';
import { Refusal } from '../loyalty/refusal.js';
import { formField } from './form-fields.js';
import { memberPage } from './page-layout.js';
import { answer, memberOf } from './signed-in.js';
import { storesPage, unlinkPage } from './store-pages.js';

export interface StoresDependencies {
  dataSource: DataSource;
  ledger: Ledger;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The stores that know the signed-in member, with link and unlink: `/stores`, `/stores/link` (a
 * store's provisional customer with an address the member proved becomes them) and
 * `/stores/:partnerId/unlink` (after a confirmation).
 */
export function storesRouter({ dataSource, ledger }: StoresDependencies): Router {
  const router = Router();
  const notFound = () =>
    memberPage('Not found', '<h1>This store is not linked to you</h1><p><a href="/member/stores">Your stores</a></p>', { signedIn: true });

  router.get(
    '/stores',
    answer(async (req, res) => {
      const stores = await memberStores(dataSource.manager, memberOf(res));
      // The outcome of a link or unlink just made, by the store's id.
      const linked = stores.linked.find((s) => s.partnerId === req.query.linked)?.name;
      const unlinked = typeof req.query.unlinked === 'string' ? await storeName(dataSource.manager, req.query.unlinked) : null;
      const notice = linked
        ? `${linked} is linked: its points are in your balance now.`
        : unlinked
          ? `${unlinked} is unlinked.`
          : undefined;
      res.type('html').send(storesPage(stores, notice));
    }),
  );

  router.post(
    '/stores/link',
    answer(async (req, res) => {
      const memberId = memberOf(res);
      const customerMemberId = formField(req.body, 'customer');
      let linked: { partnerId: string };
      try {
        linked = await inTransaction(dataSource, (manager) => linkStoreCustomer(manager, ledger, { memberId, customerMemberId }));
      } catch (error) {
        if (!(error instanceof Refusal) || error.code !== 'merge_refused') throw error;
        const problem =
          error.field === 'customer'
            ? 'This store customer cannot be linked to you: it has no address you proved.'
            : `This store cannot be linked yet: ${error.reason}.`;
        return res
          .status(422)
          .type('html')
          .send(storesPage(await memberStores(dataSource.manager, memberId), undefined, problem));
      }
      res.redirect(303, `/member/stores?linked=${linked.partnerId}`);
    }),
  );

  router.get(
    '/stores/:partnerId/unlink',
    answer(async (req, res) => {
      const store = (await memberStores(dataSource.manager, memberOf(res))).linked.find((s) => s.partnerId === req.params.partnerId);
      if (!store) return res.status(404).type('html').send(notFound());
      res.type('html').send(unlinkPage(store));
    }),
  );

  router.post(
    '/stores/:partnerId/unlink',
    answer(async (req, res) => {
      const partnerId = String(req.params.partnerId);
      if (!uuid.test(partnerId)) return res.status(404).type('html').send(notFound());
      try {
        await inTransaction(dataSource, (manager) => unlinkStore(manager, { memberId: memberOf(res), partnerId }));
      } catch (error) {
        if (error instanceof Refusal && error.code === 'partner_not_found') return res.status(404).type('html').send(notFound());
        throw error;
      }
      res.redirect(303, `/member/stores?unlinked=${partnerId}`);
    }),
  );

  return router;
}
