import type { EntityManager, ObjectLiteral, EntityTarget } from 'typeorm';
import { PointPackage, Reward } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { codeFormat, httpsAddress, limits, requiredText, text, wholeNumber } from './field-checks.js';
import { isCurrency, parsePrice } from './money.js';
import type { Editing } from './partner-checks.js';

/** Whether another record than the one edited has this code. */
async function codeTaken(manager: EntityManager, entity: EntityTarget<ObjectLiteral>, code: string, editing: Editing): Promise<boolean> {
  const others = manager.createQueryBuilder(entity, 'r').where('r.code = :code', { code });
  if (editing.id) others.andWhere('r.id <> :id', { id: editing.id });
  return others.getExists();
}

/**
 * A reward's form: a code no other reward has, a name, a price of 1 point or more, a stock of 0 or
 * more (empty: unlimited), and a picture at an https address (the catalog's pages are served over
 * https, and a browser would not show anything else).
 */
export async function checkReward(manager: EntityManager, values: Record<string, unknown>, editing: Editing = {}): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const code = codeFormat(values.code);
  if (code) errors.code = code;
  else if (await codeTaken(manager, Reward, text(values.code), editing)) errors.code = 'another reward has this code';
  const name = requiredText(values.name);
  if (name) errors.name = name;
  const price = wholeNumber(values.pointsPrice, { min: 1, max: limits.bigint });
  if (price) errors.pointsPrice = price;
  const stock = wholeNumber(values.stock, { optional: true });
  if (stock) errors.stock = `${stock} (empty: unlimited)`;
  const image = httpsAddress(values.imageUrl, { optional: true });
  if (image) errors.imageUrl = image;
  for (const field of ['description', 'supplier', 'category']) {
    if (text(values[field]).length > 2_000) errors[field] = 'must be at most 2,000 characters';
  }
  return errors;
}

/**
 * A point package's form: a code no other package has, a name, 1 point or more, a price above 0
 * typed in the currency's units (`price`), and an ISO 4217 currency. The price in minor units, when
 * it is right.
 */
export async function checkPointPackage(
  manager: EntityManager,
  values: Record<string, unknown>,
  editing: Editing = {},
): Promise<{ errors: FieldErrors; priceCents?: number }> {
  const errors: FieldErrors = {};
  const code = codeFormat(values.code);
  if (code) errors.code = code;
  else if (await codeTaken(manager, PointPackage, text(values.code), editing)) errors.code = 'another package has this code';
  const name = requiredText(values.name);
  if (name) errors.name = name;
  const points = wholeNumber(values.points, { min: 1, max: limits.bigint });
  if (points) errors.points = points;
  const currency = text(values.currency);
  if (!isCurrency(currency)) errors.currency = 'must be a currency’s ISO 4217 code, like EUR';
  const price = parsePrice(values.price, isCurrency(currency) ? currency : 'EUR');
  if ('problem' in price) errors.price = price.problem;
  return { errors, priceCents: 'minor' in price ? price.minor : undefined };
}
