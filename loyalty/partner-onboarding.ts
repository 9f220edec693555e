import type { EntityManager } from 'typeorm';
import { Partner, PointOfSale, type PartnerKind, type SalesChannel, type StaffInvitation, type StaffUser } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { emailAddress, given, requiredText, text } from './field-checks.js';
import { checkPartner, checkPointOfSale } from './partner-checks.js';
import { onboardPartner } from './partners.js';
import { checkStaffUser } from './staff-accounts.js';
import { inviteStaffUser } from './staff-invitations.js';

/**
 * The one form that onboards a partner: the partner itself, its first point of sale
 * (`pointOfSaleName`, `pointOfSaleCode`, `pointOfSaleChannel`) and the partner user invited to
 * its part of the back office (`inviteEmail`, `inviteName`).
 */
export const onboardingFields = {
  partner: ['name', 'code', 'kind', 'contactEmail', 'lowBalanceThreshold'],
  pointOfSale: { pointOfSaleName: 'name', pointOfSaleCode: 'code', pointOfSaleChannel: 'channel' },
  invitation: { inviteEmail: 'email', inviteName: 'name' },
} as const;

/** What is wrong with an onboarding form, under the form's own field names. */
export async function checkOnboarding(manager: EntityManager, values: Record<string, unknown>): Promise<FieldErrors> {
  // An alert level left empty is the column's default, as for any new partner.
  const threshold = given(values.lowBalanceThreshold)
    ? values.lowBalanceThreshold
    : manager.connection.getMetadata(Partner).findColumnWithPropertyName('lowBalanceThreshold')?.default;
  const errors: FieldErrors = { ...(await checkPartner(manager, { ...values, lowBalanceThreshold: threshold })) };
  // The partner does not exist yet: its point of sale is checked as if for a partner, minus that partner.
  const pointOfSale = await checkPointOfSale(manager, {
    partnerId: '00000000-0000-0000-0000-000000000000',
    name: values.pointOfSaleName,
    code: values.pointOfSaleCode,
    channel: values.pointOfSaleChannel,
  });
  for (const [field, own] of Object.entries(onboardingFields.pointOfSale)) if (pointOfSale[own]) errors[field] = pointOfSale[own];
  const email = emailAddress(values.inviteEmail);
  if (email) errors.inviteEmail = email;
  const name = requiredText(values.inviteName);
  if (name) errors.inviteName = name;
  if (!email) {
    const account = await checkStaffUser(manager, { email: values.inviteEmail, name: 'x', role: 'partner_user', partnerId: null });
    if (account.email) errors.inviteEmail = account.email;
  }
  return errors;
}

export interface Onboarded {
  partner: Partner;
  pointOfSale: PointOfSale;
  user: StaffUser;
  invitation: StaffInvitation;
}

/**
 * Onboards a partner in the caller's transaction: the partner and its wallet, its first point of
 * sale, and a partner user without a password whose invitation email is queued (outbox). The form
 * was checked by `checkOnboarding`.
 */
export async function onboardPartnerInOneStep(
  manager: EntityManager,
  values: Record<string, unknown>,
  now = new Date(),
): Promise<Onboarded> {
  const threshold = text(values.lowBalanceThreshold);
  const details = {
    code: text(values.code),
    name: text(values.name),
    kind: text(values.kind) as PartnerKind,
    contactEmail: text(values.contactEmail) || null,
  };
  // A strict insert first: a twin form that took the code meanwhile fails here, instead of joining its partner.
  await manager.insert(Partner, { ...details, ...(threshold !== '' ? { lowBalanceThreshold: Number(threshold) } : {}) });
  const { partner } = await onboardPartner(manager, details);
  const pointOfSale = await manager.save(
    manager.create(PointOfSale, {
      partnerId: partner.id,
      name: text(values.pointOfSaleName),
      code: text(values.pointOfSaleCode),
      channel: text(values.pointOfSaleChannel) as SalesChannel,
    }),
  );
  const { user, invitation } = await inviteStaffUser(
    manager,
    { email: text(values.inviteEmail), name: text(values.inviteName), role: 'partner_user', partnerId: partner.id },
    now,
  );
  return { partner, pointOfSale, user, invitation };
}
