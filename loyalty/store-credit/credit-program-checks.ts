import type { EntityManager } from 'typeorm';
import { CreditProgram, ExchangeRate } from '../../entities/index.js';
import type { FieldErrors } from '../earning/configuration-checks.js';
import { given, requiredText, text, wholeNumber } from '../field-checks.js';
import { isCurrency } from '../money.js';
import { partnerProblem, type Editing } from '../partner-checks.js';

const asList = (value: unknown): unknown[] =>
  Array.isArray(value)
    ? value.filter(given)
    : value && typeof value === 'object'
      ? Object.values(value).filter(given)
      : given(value)
        ? [value]
        : [];

/**
 * A store-credit program's form: a name of its own, a currency, the partners whose stores earn and
 * spend it (a closed program: its owner alone; a partner in one active program at most, so that a
 * store knows which credit it takes), and one cashback: a percentage or a fixed amount.
 */
export async function checkCreditProgram(
  manager: EntityManager,
  values: Record<string, unknown>,
  editing: Editing = {},
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const name = requiredText(values.name);
  if (name) errors.name = name;
  else {
    const others = manager.createQueryBuilder(CreditProgram, 'c').where('c.name = :name', { name: text(values.name) });
    if (editing.id) others.andWhere('c.id <> :id', { id: editing.id });
    if (await others.getExists()) errors.name = 'another credit program has this name';
  }
  if (!isCurrency(text(values.currency))) errors.currency = 'must be an ISO 4217 currency code, like EUR';
  else if (editing.id) {
    // Members' credit accounts count the currency they were opened in: another would misread every balance.
    const [opened]: { unit: string }[] = await manager.query(`SELECT unit FROM ledger_account WHERE "creditProgramId" = $1 LIMIT 1`, [
      editing.id,
    ]);
    if (opened && opened.unit !== text(values.currency)) {
      errors.currency = `never changes once members have credit accounts in the program (counted in ${opened.unit}): make a new program for another currency`;
    }
  }

  const owner = given(values.ownerPartnerId) ? text(values.ownerPartnerId) : null;
  if (owner) {
    const problem = await partnerProblem(manager, owner);
    if (problem) errors.ownerPartnerId = problem;
  }
  const partnerIds = [...new Set(asList(values.partnerIds).map(text))];
  if (partnerIds.length === 0) errors.partnerIds = 'choose at least one partner whose stores earn and spend this credit';
  else {
    for (const id of partnerIds) {
      const problem = await partnerProblem(manager, id);
      if (problem) errors.partnerIds = problem;
    }
    if (!errors.partnerIds && owner && partnerIds.some((id) => id !== owner)) {
      errors.partnerIds = "a partner's closed program runs at its owner's stores only";
    }
    const active = values.active === undefined || values.active === true || values.active === 'true';
    if (!errors.partnerIds && active) {
      const taken = manager
        .createQueryBuilder(CreditProgram, 'c')
        .where('c.active AND c."partnerIds" && :ids::uuid[]', { ids: partnerIds });
      if (editing.id) taken.andWhere('c.id <> :id', { id: editing.id });
      const other = await taken.getOne();
      if (other) errors.partnerIds = `a partner chosen already takes part in "${other.name}": a store takes one store credit`;
    }
  }

  const percent = given(values.cashbackPercent) ? text(values.cashbackPercent) : null;
  const fixed = given(values.cashbackFixedMinor) ? text(values.cashbackFixedMinor) : null;
  if (percent === null && fixed === null)
    errors.cashbackPercent = 'give a percentage of the purchase, or a fixed amount per purchase below';
  else if (percent !== null && fixed !== null) errors.cashbackFixedMinor = 'give a percentage or a fixed amount, not both';
  else if (percent !== null) {
    const value = Number(percent);
    if (!/^\d+(\.\d{1,3})?$/.test(percent) || value <= 0 || value > 100) {
      errors.cashbackPercent = 'must be a percentage above 0 and at most 100, with at most 3 decimals (like 5 or 2.5)';
    }
  } else {
    const problem = wholeNumber(fixed, { min: 1 });
    if (problem) errors.cashbackFixedMinor = problem;
  }
  return errors;
}

/** An exchange rate's form: two different currencies, a rate above 0, a date from which it applies, once per pair and date. */
export async function checkExchangeRate(
  manager: EntityManager,
  values: Record<string, unknown>,
  editing: Editing = {},
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const from = text(values.fromCurrency);
  const to = text(values.toCurrency);
  if (!isCurrency(from)) errors.fromCurrency = 'must be an ISO 4217 currency code, like USD';
  if (!isCurrency(to)) errors.toCurrency = 'must be an ISO 4217 currency code, like EUR';
  else if (from === to) errors.toCurrency = 'must differ from the currency converted';
  const rate = text(values.rate);
  if (!/^\d+(\.\d{1,8})?$/.test(rate) || Number(rate) <= 0 || Number(rate) >= 1e10) {
    errors.rate = 'must be a number above 0 with at most 8 decimals: what one unit of the first currency is worth in the second';
  }
  const validFrom = given(values.validFrom) ? new Date(text(values.validFrom)) : null;
  if (!validFrom || Number.isNaN(validFrom.getTime())) errors.validFrom = 'is required: the moment from which the rate applies';
  else if (!errors.fromCurrency && !errors.toCurrency) {
    const same = manager
      .createQueryBuilder(ExchangeRate, 'r')
      .where('r."fromCurrency" = :from AND r."toCurrency" = :to AND r."validFrom" = :validFrom', { from, to, validFrom });
    if (editing.id) same.andWhere('r.id <> :id', { id: editing.id });
    if (await same.getExists()) errors.validFrom = 'this pair already has a rate from this moment';
  }
  return errors;
}
