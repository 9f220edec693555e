import type { EntityManager } from 'typeorm';
import { ExchangeRate } from '../../entities/index.js';
import { formatMoney, minorDigits } from '../money.js';
import { Refusal } from '../refusal.js';

export class ExchangeRateMissingError extends Refusal {
  constructor(from: string, to: string, at: Date) {
    super(
      'exchange_rate_missing',
      `no exchange rate from ${from} to ${to} is valid on ${at.toISOString().slice(0, 10)}: the program counts in ${to}; ask the operator to record one`,
      'currency',
      { from, to },
    );
  }
}

/** The rate of a pair valid at `at`: the latest recorded from that moment or before. */
export async function rateAt(manager: EntityManager, from: string, to: string, at: Date): Promise<ExchangeRate | null> {
  return manager
    .createQueryBuilder(ExchangeRate, 'r')
    .where('r."fromCurrency" = :from AND r."toCurrency" = :to AND r."validFrom" <= :at', { from, to, at })
    .orderBy('r."validFrom"', 'DESC')
    .getOne();
}

export interface Converted {
  /** The amount in minor units of the target currency, rounded down. */
  minor: number;
  /** In words, for explanations: "$50.00 at 0.92 EUR per USD (rate of 2026-11-01) = €46.00". */
  description: string;
}

/**
 * An amount in minor units of `from` in minor units of `to`, at the rate valid at `at`; refused when
 * none is (never a silent 1:1).
 */
export async function convertMoney(manager: EntityManager, minor: number, from: string, to: string, at: Date): Promise<Converted> {
  const rate = await rateAt(manager, from, to, at);
  if (!rate) throw new ExchangeRateMissingError(from, to, at);
  const scale = 10 ** (minorDigits(to) - minorDigits(from));
  const converted = Math.floor(Math.round(minor * Number(rate.rate) * scale * 1e6) / 1e6);
  return {
    minor: converted,
    description:
      `${formatMoney(minor, from)} at ${Number(rate.rate)} ${to} per ${from} (rate of ${rate.validFrom.toISOString().slice(0, 10)}) = ` +
      formatMoney(converted, to),
  };
}
