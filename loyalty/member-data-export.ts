import type { EntityManager } from 'typeorm';
import type {
  EventLineRecord,
  Member,
  MemberCodePurpose,
  MemberLinkCause,
  MemberMergeCause,
  MessageChannel,
  RedemptionStatus,
  RuleExplanation,
  SalesChannel,
  TransferKind,
} from '../entities/index.js';
import { shippingAddressOf, type DeliveryAddress } from './delivery-address.js';
import type { Balance } from './ledger/accounts.js';
import { historyPoints, historyStatus, type HistoryStatus } from './member-history.js';
import { namesStoreId, personRecords, storeIdParameters } from './member-records.js';
import { memberSummary, type MemberSummary } from './member-summary.js';

/** One movement of a member's points, with the store, the reward and the reasons in words. */
export interface ExportedHistoryEntry {
  id: string;
  at: Date;
  kind: TransferKind;
  /** What it did to the account's available points: positive in, negative out (0 for a hold given back). */
  points: number;
  status: HistoryStatus;
  /** The store where it happened, when one did. */
  store: string | null;
  reward: string | null;
  /** The reasons, in words. */
  description: string;
  explanation: RuleExplanation[];
}

type Columns<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };

/** A member's own details as held: their reference and every profile field. */
export type ExportedProfile = Omit<Columns<Member>, 'externalId'> & { reference: string };

/** Everything Tessera holds about a member (the right of access): what their dashboard downloads, and care for a request by mail. */
export interface MemberDataExport {
  exportedAt: Date;
  profile: ExportedProfile;
  /** Accounts of theirs merged into this one (a store's customer who proved to be them), with their own history. */
  formerAccounts: (ExportedProfile & { history: ExportedHistoryEntry[] })[];
  /** The stores that know them, by the store's own id for them. */
  stores: { store: string; customerId: string; linkedAt: Date; how: MemberLinkCause }[];
  /** The stores they unlinked from their dashboard, with the id the store knew them by. */
  unlinkedStores: { store: string; customerId: string; linkedAt: Date; unlinkedAt: Date }[];
  balance: Balance;
  tier: MemberSummary['tier'];
  qualifyingPoints: number;
  expiring: MemberSummary['expiring'];
  /** Points refunds took back after they were spent, recovered from the next earns. */
  pointsOwed: number;
  lots: { points: number; remaining: number; expiresAt: Date | null; fundedBy: string; earnedAt: Date }[];
  history: ExportedHistoryEntry[];
  events: {
    id: string;
    store: string;
    customerId: string;
    type: string;
    occurredAt: Date;
    amountCents: number | null;
    currency: string | null;
    lines: EventLineRecord[];
    channel: SalesChannel | null;
    pointOfSale: string | null;
    points: number;
    bonusPoints: number;
    explanation: RuleExplanation[];
    refundedCents: number;
  }[];
  redemptions: {
    id: string;
    at: Date;
    reward: string;
    quantity: number;
    points: number;
    status: RedemptionStatus;
    code: string | null;
    outcome: string | null;
    store: string | null;
    shipment: { state: string; carrier: string | null; trackingNumber: string | null } | null;
    /** Where it was shipped, as they gave it. */
    shipTo: DeliveryAddress | null;
  }[];
  /** Corrections care made to their balance, with the reason given. */
  careAdjustments: { at: Date; points: number; reason: string; status: string }[];
  merges: { at: Date; from: string; into: string; points: number; how: MemberMergeCause }[];
  sessions: { openedAt: Date; expiresAt: Date; revokedAt: Date | null; store: string | null }[];
  /** One-time codes sent to them (never the codes themselves). */
  codes: {
    purpose: MemberCodePurpose;
    channel: MessageChannel;
    address: string;
    store: string | null;
    sentAt: Date;
    expiresAt: Date;
    usedAt: Date | null;
    tries: number;
  }[];
  emails: { to: string; subject: string; text: string; html: string | null; sentAt: Date }[];
  textMessages: { to: string; text: string; sentAt: Date }[];
  /** What stores were told about them (webhooks), by the store's own id for them. */
  webhookDeliveries: { store: string; event: string; payload: object; status: string; createdAt: Date; deliveredAt: Date | null }[];
}

type RedemptionRow = Omit<MemberDataExport['redemptions'][number], 'points' | 'shipTo'> & {
  points: string;
  shipToName: string | null;
  shipToStreet: string | null;
  shipToPostalCode: string | null;
  shipToCity: string | null;
  shipToCountry: string | null;
};

/** Everything Tessera holds about the member `memberId` stands for (following merges), as one document. */
export async function exportMemberData(manager: EntityManager, memberId: string): Promise<MemberDataExport> {
  const person = await personRecords(manager, memberId);
  const ids = person.memberIds;
  const emails = addresses([person.member, ...person.former.map((f) => f.member)], 'email');
  const phones = addresses([person.member, ...person.former.map((f) => f.member)], 'phone');
  const references = [person.member.externalId, ...person.former.map((f) => f.member.externalId)];
  const summary = await memberSummary(manager, person.member.id);
  const names = await namesOf(manager);

  const [owed] = await manager.query(`SELECT COALESCE(SUM(points), 0) AS owed FROM points_debt WHERE "memberAccountId" = ANY($1::uuid[])`, [
    person.accountIds,
  ]);
  const lots: { points: string; remaining: string; expiresAt: Date | null; partner: string | null; createdAt: Date }[] =
    await manager.query(
      `SELECT l.points, l.remaining, l."expiresAt", p.name AS partner, l."createdAt" FROM point_lot l LEFT JOIN partner p ON p.id = l."fundingPartnerId"
      WHERE l."memberAccountId" = $1 ORDER BY l."createdAt", l.id`,
      [person.account.id],
    );
  const stores: { store: string; customerId: string; linkedAt: Date; how: MemberLinkCause }[] = await manager.query(
    `SELECT p.name AS store, l."customerId", l."linkedAt", l.cause AS how FROM member_link l JOIN partner p ON p.id = l."partnerId"
      WHERE l."memberId" = ANY($1::uuid[]) ORDER BY l."linkedAt", p.name`,
    [ids],
  );
  const unlinkedStores = await manager.query(
    `SELECT p.name AS store, r."customerId", r."linkedAt", r."removedAt" AS "unlinkedAt" FROM member_link_removal r
       JOIN partner p ON p.id = r."partnerId" WHERE r."memberId" = ANY($1::uuid[]) ORDER BY r."removedAt", p.name`,
    [ids],
  );
  const events = await manager.query(
    `SELECT e.id, p.name AS store, e."customerId", e.type, e."occurredAt", e."amountCents", e.currency, e.lines, e.channel,
            s.code AS "pointOfSale", e.points, e."bonusPoints", e.explanation, e."refundedCents"
       FROM member_event e JOIN partner p ON p.id = e."partnerId" LEFT JOIN point_of_sale s ON s.id = e."pointOfSaleId"
      WHERE e."memberId" = ANY($1::uuid[]) ORDER BY e."occurredAt", e.id`,
    [ids],
  );
  const redemptions = await manager.query(
    `SELECT r.id, r."createdAt" AS at, w.name AS reward, r.quantity, r.points, r.status, r.code, r.outcome, p.name AS store,
            CASE WHEN o.id IS NULL THEN NULL
                 ELSE jsonb_build_object('state', o.state, 'carrier', o.carrier, 'trackingNumber', o."trackingNumber") END AS shipment,
            r."shipToName", r."shipToStreet", r."shipToPostalCode", r."shipToCity", r."shipToCountry"
       FROM redemption r JOIN reward w ON w.id = r."rewardId" LEFT JOIN partner p ON p.id = r."partnerId"
       LEFT JOIN fulfilment_order o ON o."redemptionId" = r.id
      WHERE r."memberId" = ANY($1::uuid[]) ORDER BY r."createdAt", r.id`,
    [ids],
  );
  const careAdjustments = await manager.query(
    `SELECT "createdAt" AS at, points, reason, status FROM care_adjustment WHERE "memberExternalId" = ANY($1::text[]) ORDER BY "createdAt", id`,
    [references],
  );
  const merges = await manager.query(
    `SELECT g.at, f."externalId" AS from, i."externalId" AS into, g.points, g.cause AS how
       FROM member_merge g JOIN member f ON f.id = g."fromMemberId" JOIN member i ON i.id = g."intoMemberId"
      WHERE g."intoMemberId" = ANY($1::uuid[]) ORDER BY g.at, g.id`,
    [ids],
  );
  const sessions = await manager.query(
    `SELECT s."createdAt" AS "openedAt", s."expiresAt", s."revokedAt", p.name AS store
       FROM member_session s LEFT JOIN partner p ON p.id = s."partnerId" WHERE s."memberId" = ANY($1::uuid[]) ORDER BY s."createdAt", s.id`,
    [ids],
  );
  const codes = await manager.query(
    `SELECT c.purpose, c.channel, c.address, p.name AS store, c."createdAt" AS "sentAt", c."expiresAt", c."usedAt", c.attempts AS tries
       FROM member_code c LEFT JOIN partner p ON p.id = c."partnerId"
      WHERE c."memberId" = ANY($1::uuid[]) OR c.address = ANY($2::text[]) ORDER BY c."createdAt", c.id`,
    [ids, [...emails, ...phones]],
  );
  const sentEmails = await manager.query(
    `SELECT "to", subject, text, html, "sentAt" FROM sent_email WHERE lower("to") = ANY($1::text[]) ORDER BY "sentAt", id`,
    [emails],
  );
  const textMessages = await manager.query(
    `SELECT "to", text, "sentAt" FROM sent_sms WHERE "memberId" = ANY($1::uuid[]) OR "to" = ANY($2::text[]) ORDER BY "sentAt", id`,
    [ids, phones],
  );
  const webhookDeliveries = await manager.query(
    `SELECT p.name AS store, d.event, d.payload, d.status, d."createdAt", d."deliveredAt"
       FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d."endpointId" JOIN partner p ON p.id = e."partnerId"
      WHERE ${namesStoreId('e."partnerId"', 'd.payload', 1)} ORDER BY d."createdAt", d.id`,
    storeIdParameters(person.storeIds),
  );

  const formerAccounts = [];
  for (const former of person.former) {
    formerAccounts.push({ ...profileOf(former.member), history: await accountHistory(manager, former.account.id, names) });
  }
  return {
    exportedAt: new Date(),
    profile: profileOf(person.member),
    formerAccounts,
    stores,
    unlinkedStores,
    balance: summary.balance,
    tier: summary.tier,
    qualifyingPoints: summary.qualifyingPoints,
    expiring: summary.expiring,
    pointsOwed: Number(owed.owed),
    lots: lots.map((l) => ({
      points: Number(l.points),
      remaining: Number(l.remaining),
      expiresAt: l.expiresAt,
      fundedBy: l.partner ?? 'the program',
      earnedAt: l.createdAt,
    })),
    history: await accountHistory(manager, person.account.id, names),
    events: events.map((e: { points: string; bonusPoints: string }) => ({
      ...e,
      points: Number(e.points),
      bonusPoints: Number(e.bonusPoints),
    })),
    redemptions: redemptions.map(({ shipToName, shipToStreet, shipToPostalCode, shipToCity, shipToCountry, ...r }: RedemptionRow) => ({
      ...r,
      points: Number(r.points),
      shipTo: shippingAddressOf({ shipToName, shipToStreet, shipToPostalCode, shipToCity, shipToCountry }),
    })),
    careAdjustments: careAdjustments.map((c: { points: string }) => ({ ...c, points: Number(c.points) })),
    merges: merges.map((m: { points: string }) => ({ ...m, points: Number(m.points) })),
    sessions,
    codes,
    emails: sentEmails,
    textMessages,
    webhookDeliveries,
  };
}

function profileOf(member: Member): ExportedProfile {
  const { externalId, ...fields } = member;
  return { reference: externalId, ...fields };
}

function addresses(members: Member[], field: 'email' | 'phone'): string[] {
  return [...new Set(members.map((m) => m[field]).filter((a): a is string => !!a))].map((a) => (field === 'email' ? a.toLowerCase() : a));
}

/** Stores and rewards by id and code, to name them in the history. */
async function namesOf(manager: EntityManager): Promise<{ stores: Map<string, string>; rewards: Map<string, string> }> {
  const stores: { id: string; name: string }[] = await manager.query(`SELECT id, name FROM partner`);
  const rewards: { code: string; name: string }[] = await manager.query(`SELECT code, name FROM reward`);
  return { stores: new Map(stores.map((s) => [s.id, s.name])), rewards: new Map(rewards.map((r) => [r.code, r.name])) };
}

/** What a movement without reasons of its own was, in words. */
const plainWords: Partial<Record<TransferKind, { in: string; out: string }>> = {
  merge: { in: 'points of an account of yours merged into this one', out: 'moved to the account this one was merged into' },
  transfer: { in: 'points another member gave you', out: 'points you gave another member' },
  reversal: { in: 'a movement reversed', out: 'a movement reversed' },
};

/** Every movement of one account, oldest first: a hold and what settled it are one entry (as in the member's history). */
async function accountHistory(
  manager: EntityManager,
  accountId: string,
  names: Awaited<ReturnType<typeof namesOf>>,
): Promise<ExportedHistoryEntry[]> {
  const rows: {
    id: string;
    createdAt: Date;
    kind: TransferKind;
    amount: string;
    phase: string;
    debitAccountId: string;
    references: Record<string, string>;
    explanation: RuleExplanation[];
    resolution: 'post' | 'void' | null;
    /** What a post took, which may be less than its hold (a partial capture). */
    resolvedAmount: string | null;
  }[] = await manager.query(
    `SELECT t.id, t."createdAt", t.kind, t.amount, t.phase, t."debitAccountId", t."references", t.explanation, r.phase AS resolution,
            r.amount AS "resolvedAmount"
       FROM ledger_transfer t LEFT JOIN ledger_transfer r ON r."pendingTransferId" = t.id
      WHERE (t."debitAccountId" = $1 OR t."creditAccountId" = $1) AND t.phase IN ('single', 'pending')
      ORDER BY t.seq`,
    [accountId],
  );
  return rows.map((r) => {
    const outgoing = r.debitAccountId === accountId;
    const status = historyStatus(r, outgoing);
    const reasons = r.explanation.map((x) => `${x.rule}: ${x.points} (${x.reason})`).join('; ');
    return {
      id: r.id,
      at: r.createdAt,
      kind: r.kind,
      points: historyPoints(status, outgoing, Number(status === 'settled' ? r.resolvedAmount : r.amount)),
      status,
      store: (r.references.partner && names.stores.get(r.references.partner)) ?? null,
      reward: (r.references.reward && names.rewards.get(r.references.reward)) ?? null,
      description: reasons || plainWords[r.kind]?.[outgoing ? 'out' : 'in'] || r.kind,
      explanation: r.explanation,
    };
  });
}
