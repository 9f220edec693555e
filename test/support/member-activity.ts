import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuditEntry, EarningRule, Member, Reward, SentEmail, SentSms, WebhookEndpoint } from '../../entities/index.js';
import { requestAdjustment } from '../../loyalty/care-adjustments.js';
import { recordEvent } from '../../loyalty/earning/record-event.js';
import { inTransaction } from '../../loyalty/ledger/transaction.js';
import { issueMemberCode } from '../../loyalty/member-codes.js';
import { resolveCustomer } from '../../loyalty/member-identity.js';
import { openMemberSession } from '../../loyalty/member-sessions.js';
import { redeemReward } from '../../loyalty/redemptions.js';
import type { createProgram } from './program.js';

type Program = Awaited<ReturnType<typeof createProgram>>;

/** A person as the tests know them: every string that names them, and where they are known. */
export interface Person {
  memberId: string;
  reference: string;
  email: string;
  phone: string;
  name: string;
  /** Each store's id for them. */
  customerIds: { partnerId: string; customerId: string }[];
  /** The provisional member a store knew them as before it proved their email (merged into them). */
  formerReference: string | null;
}

/**
 * Stores, rules and rewards for members' activity: a shop and a cafe, funded, each listening to
 * webhooks; one point per euro; an instant reward and one to ship.
 */
export async function activityProgram(dataSource: DataSource, p: Program) {
  const m = dataSource.manager;
  const tag = randomUUID().slice(0, 6);
  const { partner: shop, wallet: shopWallet } = await p.partner(1_000_000, `shop-${tag}`);
  const { partner: cafe, wallet: cafeWallet } = await p.partner(1_000_000, `cafe-${tag}`);
  for (const partner of [shop, cafe]) {
    await m.insert(WebhookEndpoint, {
      partnerId: partner.id,
      url: `https://hooks.${partner.code}.test/tessera`,
      events: ['points.earned', 'redemption.completed'],
      secret: `whsec_${tag}`,
    });
  }
  if (!(await m.existsBy(EarningRule, { name: 'One point per euro' }))) {
    await m.insert(EarningRule, { name: 'One point per euro', formula: { kind: 'per_amount', pointsPerUnit: 1, rounding: 'down' } });
  }
  if (!(await m.existsBy(Reward, { code: 'voucher' }))) {
    await m.insert(Reward, [
      { code: 'voucher', name: 'Coffee voucher', pointsPrice: 10 },
      { code: 'mug', name: 'Tessera mug', pointsPrice: 20, needsFulfilment: true },
    ]);
  }
  return { shop, cafe, shopWallet, cafeWallet, tag };
}

/**
 * A person with activity at both stores: a purchase at the shop (which verified their email and
 * phone), a provisional customer of the cafe who proved to be them (merged), purchases there, an
 * instant reward, a care adjustment that names them, a session, a sign-in code, emails and a text
 * message, and back-office audit entries about them.
 */
export async function personWithActivity(
  dataSource: DataSource,
  p: Program,
  stores: Awaited<ReturnType<typeof activityProgram>>,
  name: string,
): Promise<Person> {
  const m = dataSource.manager;
  const slug = `${name.toLowerCase().replace(/\W+/g, '-')}-${stores.tag}`;
  const email = `${slug}@privacy.example`;
  const phone = `+3361${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
  const shopId = `${slug}-at-shop`;
  const cafeId = `${slug}-at-cafe`;
  const event = (partnerId: string, member: object, amountCents: number) =>
    inTransaction(dataSource, (manager) =>
      recordEvent(manager, p.ledger, {
        partnerId,
        member: member as { externalId: string },
        type: 'purchase',
        amountCents,
        currency: 'EUR',
        occurredAt: new Date(),
        receivedAt: new Date(),
      }),
    );
  await event(stores.shop.id, { externalId: shopId, email, emailVerified: true, phone, phoneVerified: true }, 12_000);
  await event(stores.cafe.id, { externalId: cafeId }, 4_500);
  const provisional = await resolveCustomer(m, { partnerId: stores.cafe.id, customerId: cafeId });
  await event(stores.cafe.id, { externalId: cafeId, email, emailVerified: true }, 3_000);
  const { member } = await resolveCustomer(m, { partnerId: stores.shop.id, customerId: shopId });
  await m.update(Member, { id: member.id }, { displayName: name });

  await inTransaction(dataSource, (manager) =>
    redeemReward(manager, p.ledger, {
      memberId: member.id,
      rewardCode: 'voucher',
      quantity: 1,
      partnerId: stores.shop.id,
      key: randomUUID(),
    }),
  );
  const adjustment = await requestAdjustment(dataSource, p.ledger, {
    memberExternalId: member.externalId,
    points: 25,
    reason: `Goodwill for ${name}: a receipt the till lost`,
    requestedBy: 'care@privacy.test',
  });
  await openMemberSession(m, { memberId: member.id, partnerId: null });
  await openMemberSession(m, { memberId: member.id, partnerId: stores.shop.id });
  await issueMemberCode(m, { purpose: 'sign_in', memberId: member.id, partnerId: null, channel: 'email', address: email }, 'code-secret');
  await m.insert(SentEmail, [
    {
      to: email,
      subject: `${name}, your points expire soon`,
      text: `Dear ${name}, 40 points expire on 1 May.`,
      html: `<p>Dear ${name}</p>`,
    },
    { to: email, subject: 'Your Tessera sign-in code: 123456', text: 'Your code to sign in to Tessera: 123456' },
  ]);
  await m.insert(SentSms, { to: phone, text: '123456 is your Tessera sign-in code.', memberId: member.id });
  await m.insert(AuditEntry, [
    {
      staffEmail: 'care@privacy.test',
      action: 'resendLastEmail',
      resource: 'Member',
      recordId: member.id,
      before: null,
      after: { subject: `${name}, your points expire soon` },
    },
    {
      staffEmail: 'care@privacy.test',
      action: 'new',
      resource: 'CareAdjustment',
      recordId: adjustment.id,
      before: null,
      after: { memberExternalId: member.externalId, reason: adjustment.reason, points: 25 },
    },
  ]);
  return {
    memberId: member.id,
    reference: member.externalId,
    email,
    phone,
    name,
    customerIds: [
      { partnerId: stores.shop.id, customerId: shopId },
      { partnerId: stores.cafe.id, customerId: cafeId },
    ],
    formerReference: provisional.member.externalId,
  };
}
