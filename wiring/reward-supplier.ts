import { FakeRewardSupplier } from '../loyalty/fulfilment/fake-supplier.js';
import { HttpRewardSupplier } from '../loyalty/fulfilment/http-supplier.js';
import { ManualRewardSupplier } from '../loyalty/fulfilment/manual-supplier.js';
import type { RewardSupplier } from '../loyalty/fulfilment/reward-supplier.js';
import type { Config, SupplierSettings } from './config.js';

/** The supplier that fulfils rewards, as configured (REWARD_SUPPLIER). */
export function rewardSupplier(settings: SupplierSettings, config: Pick<Config, 'fakeSupplier'>): RewardSupplier {
  switch (settings.kind) {
    case 'manual':
      return new ManualRewardSupplier();
    case 'http':
      return new HttpRewardSupplier({ url: settings.url, secret: settings.secret });
    case 'fake':
      return new FakeRewardSupplier(config.fakeSupplier);
  }
}
