import type { EntityManager } from 'typeorm';
import type { MemberEvent, RuleExplanation } from '../../entities/index.js';
import { convertMoney } from '../store-credit/exchange-rates.js';
import type { EventLine } from './earning-event.js';

export interface PricedEvent {
  amountCents?: number;
  lines?: EventLine[];
  /** The conversion, when there was one, in words. */
  explanation: RuleExplanation[];
}

/**
 * The event's amount and line prices in the program's currency: as sent when they are in it,
 * converted at the operator's rate valid when the event happened when not (refused without one).
 */
export async function priceInProgramCurrency(
  manager: EntityManager,
  event: { amountCents?: number; currency?: string; lines?: EventLine[]; occurredAt: Date },
  programCurrency: string,
): Promise<PricedEvent> {
  const { amountCents, currency, lines } = event;
  if (currency === undefined || currency === programCurrency || (amountCents === undefined && !lines?.length)) {
    return { amountCents, lines, explanation: [] };
  }
  const convert = (minor: number) => convertMoney(manager, minor, currency, programCurrency, event.occurredAt);
  const total = amountCents === undefined ? undefined : await convert(amountCents);
  const converted =
    lines && (await Promise.all(lines.map(async (line) => ({ ...line, unitPriceCents: (await convert(line.unitPriceCents)).minor }))));
  return {
    amountCents: total?.minor,
    lines: converted,
    explanation: total ? [{ rule: 'exchange rate', points: 0, reason: total.description }] : [],
  };
}

/** A recorded event's amounts, kept as the store sent them, in the program's currency at the rate of its time. */
export function priceRecordedEvent(
  manager: EntityManager,
  event: Pick<MemberEvent, 'amountCents' | 'currency' | 'lines' | 'occurredAt'>,
  programCurrency: string,
): Promise<PricedEvent> {
  const { amountCents, currency, lines, occurredAt } = event;
  return priceInProgramCurrency(
    manager,
    { amountCents: amountCents ?? undefined, currency: currency ?? undefined, lines, occurredAt },
    programCurrency,
  );
}
