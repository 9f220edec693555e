import type { EntityManager } from 'typeorm';
import { Partner, PointOfSale, type PartnerKind, type SalesChannel } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { codeFormat, emailAddress, given, limits, oneOf, requiredText, text, wholeNumber } from './field-checks.js';
import { isUuid } from './ids.js';

/** How each kind of partner reads to the staff who choose one. */
export const partnerKindLabels: Record<PartnerKind, string> = {
  web_shop: 'Web shop',
  mobile_app: 'Mobile app',
  physical_store: 'Physical store',
};

/** How each sales channel reads. */
export const salesChannelLabels: Record<SalesChannel, string> = { web: 'Web shop', app: 'App', store: 'Store' };

/** Which record a form edits, if any: its own values are nobody else's. */
export interface Editing {
  id?: string;
}

/**
 * A partner's form: a code of the program's form that no other partner has, a name, one of the
 * kinds, an email address for its reports (optional) and an alert level of 0 points or more.
 */
export async function checkPartner(manager: EntityManager, values: Record<string, unknown>, editing: Editing = {}): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const code = codeFormat(values.code);
  if (code) errors.code = code;
  else {
    const others = manager.createQueryBuilder(Partner, 'p').where('p.code = :code', { code: text(values.code) });
    if (editing.id) others.andWhere('p.id <> :id', { id: editing.id });
    if (await others.getExists()) errors.code = 'another partner has this code';
  }
  const name = requiredText(values.name);
  if (name) errors.name = name;
  const kind = oneOf(values.kind, partnerKindLabels);
  if (kind) errors.kind = kind;
  const email = emailAddress(values.contactEmail, { optional: true });
  if (email) errors.contactEmail = email;
  const threshold = wholeNumber(values.lowBalanceThreshold, { max: limits.bigint });
  if (threshold) errors.lowBalanceThreshold = threshold;
  return errors;
}

/** The partner a record belongs to, when it names one that exists. */
export async function partnerProblem(manager: EntityManager, partnerId: unknown): Promise<string | undefined> {
  if (!given(partnerId)) return 'is required: choose the partner';
  const exists = isUuid(partnerId) && (await manager.existsBy(Partner, { id: partnerId }));
  return exists ? undefined : 'choose one of the partners';
}

/** A partner's own code for a point of sale, as its API calls send it: no spaces. */
const pointOfSaleCode = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * A point of sale's form: its partner, a code as the partner's API calls name it that the partner
 * uses for no other point of sale, a name and a channel.
 */
export async function checkPointOfSale(
  manager: EntityManager,
  values: Record<string, unknown>,
  editing: Editing = {},
): Promise<FieldErrors> {
  const errors: FieldErrors = {};
  const partner = await partnerProblem(manager, values.partnerId);
  if (partner) errors.partnerId = partner;
  if (!given(values.code)) errors.code = 'is required';
  else if (!pointOfSaleCode.test(text(values.code))) {
    errors.code = 'must be letters, digits, dots, dashes or underscores (no spaces), as the partner’s systems send it';
  } else if (!partner) {
    const others = manager
      .createQueryBuilder(PointOfSale, 's')
      .where('s."partnerId" = :partnerId AND s.code = :code', { partnerId: values.partnerId, code: text(values.code) });
    if (editing.id) others.andWhere('s.id <> :id', { id: editing.id });
    if (await others.getExists()) errors.code = 'this partner already has a point of sale with this code';
  }
  const name = requiredText(values.name);
  if (name) errors.name = name;
  const channel = oneOf(values.channel, salesChannelLabels);
  if (channel) errors.channel = channel;
  return errors;
}
