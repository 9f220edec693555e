import type { DataSource, EntityManager } from 'typeorm';
import { Invoice, LedgerAccount, PointPackage } from '../entities/index.js';
import { accountByCode, balanceOf, programAccounts } from './ledger/accounts.js';
import { Refusal } from './refusal.js';
import { vatRateNow } from './invoice-amounts.js';
import type { Ledger } from './ledger/ledger.js';
import type { LedgerResult } from './ledger/transfer-record.js';
import { inTransaction } from './ledger/transaction.js';

export interface PointsPurchase {
  walletAccountId: string;
  points: number;
  /** Unique per purchase, e.g. the invoice number: a retried purchase credits once. */
  key: string;
  references?: Record<string, string>;
}

/** Credits a partner's wallet with points it bought: they come out of the program's issuance. */
export async function creditPurchasedPoints(
  manager: EntityManager,
  ledger: Ledger,
  purchase: PointsPurchase,
  within?: EntityManager,
): Promise<LedgerResult> {
  const issuance = await accountByCode(manager, programAccounts.issuance);
  return ledger.transfer(
    {
      source: 'funding',
      key: purchase.key,
      legs: [
        {
          debitAccountId: issuance.id,
          creditAccountId: purchase.walletAccountId,
          amount: purchase.points,
          kind: 'purchase',
          references: purchase.references,
        },
      ],
    },
    within,
  );
}

export class FundingError extends Refusal {}

/**
 * A partner buys a point package: a numbered invoice and the credit to its wallet, in one
 * transaction. The same purchase key buys once and returns the first invoice.
 */
export async function purchasePackage(
  dataSource: DataSource,
  ledger: Ledger,
  order: { partnerId: string; packageCode: string; purchaseKey: string },
): Promise<{ invoice: Invoice; replayed: boolean }> {
  return inTransaction(dataSource, async (manager) => {
    const earlier = await manager.findOneBy(Invoice, { partnerId: order.partnerId, purchaseKey: order.purchaseKey });
    if (earlier) {
      if ((await manager.findOneByOrFail(PointPackage, { id: earlier.packageId })).code !== order.packageCode) {
        throw new FundingError('idempotency_conflict', `Purchase key "${order.purchaseKey}" was already used for another package`);
      }
      return { invoice: earlier, replayed: true };
    }
    const pack = await manager.findOneBy(PointPackage, { code: order.packageCode, active: true });
    if (!pack) throw new FundingError('package_not_found', `no package "${order.packageCode}" is on sale`, 'packageCode');
    const wallet = await manager.findOneBy(LedgerAccount, { partnerId: order.partnerId, kind: 'partner_wallet' });
    if (!wallet) throw new FundingError('partner_not_found', `Partner ${order.partnerId} has no wallet`);

    // Invoice numbers have no gaps: purchases (rare) take their number one at a time.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('invoice_serial'))`);
    const [{ serial }] = await manager.query(`SELECT COALESCE(MAX(serial), 0)::int + 1 AS serial FROM invoice`);
    const number = `TES-${new Date().getUTCFullYear()}-${String(serial).padStart(6, '0')}`;
    const credit = await creditPurchasedPoints(
      manager,
      ledger,
      { walletAccountId: wallet.id, points: pack.points, key: `invoice:${number}`, references: { invoice: number, package: pack.code } },
      manager,
    );
    const invoice = manager.create(Invoice, {
      serial,
      number,
      partnerId: order.partnerId,
      packageId: pack.id,
      purchaseKey: order.purchaseKey,
      points: pack.points,
      amountCents: pack.priceCents,
      currency: pack.currency,
      vatRatePercent: await vatRateNow(manager),
      transferId: credit.transfers[0]!.id,
    });
    await manager.insert(Invoice, invoice);
    return { invoice, replayed: false };
  });
}

export interface WalletStatus {
  walletAccountId: string;
  /** Points the partner can still issue. */
  available: number;
  /** The earn widget is on while the wallet has points. */
  enabled: boolean;
  /** Points issued (earns and bonuses, less refunds) today and this month, UTC. */
  issuedToday: number;
  issuedThisMonth: number;
}

/** A partner's wallet right now. */
export async function walletStatus(manager: EntityManager, partnerId: string): Promise<WalletStatus> {
  const wallet = await manager.findOneByOrFail(LedgerAccount, { partnerId, kind: 'partner_wallet' });
  const balance = await balanceOf(manager, wallet.id);
  const [issued] = await manager.query(
    `SELECT COALESCE(SUM(CASE WHEN "debitAccountId" = $1 THEN amount ELSE -amount END)
              FILTER (WHERE "createdAt" >= date_trunc('day', now())), 0)::bigint AS today,
            COALESCE(SUM(CASE WHEN "debitAccountId" = $1 THEN amount ELSE -amount END), 0)::bigint AS month
       FROM ledger_transfer
      WHERE ("debitAccountId" = $1 AND kind IN ('earn', 'bonus') OR "creditAccountId" = $1 AND kind = 'reversal')
        AND "createdAt" >= date_trunc('month', now())`,
    [wallet.id],
  );
  return {
    walletAccountId: wallet.id,
    available: balance.available,
    enabled: balance.available > 0,
    issuedToday: Number(issued.today),
    issuedThisMonth: Number(issued.month),
  };
}
