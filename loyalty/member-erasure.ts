import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Member, MemberErasure, type ErasureForfeiture, type ForfeitedPoints } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';
import { accountByCode, balanceOf, partnerWallet, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { lockMemberAccounts } from './ledger/member-locks.js';
import { lockIdentities } from './member-identity.js';
import type { LegRequest } from './ledger/request.js';
import { namesStoreId, personRecords, storeIdParameters, type PersonRecords } from './member-records.js';
import { erasedText, redacted, type PersonalData } from './redaction.js';
import { Refusal } from './refusal.js';

export class ErasureRefusedError extends Refusal {
  constructor(reason: string, field?: string) {
    super('erasure_refused', reason, field);
  }
}

export interface ErasureOrder {
  memberId: string;
  /** `member` when they asked from their dashboard, else the staff member who took their request. */
  requestedBy: string;
  reason: string;
  /** The staff member who approved a request staff took (four eyes). */
  approvedBy?: string | null;
}

/** Columns of a member that are not about the person: the rest (addresses, name, profile) are erased. */
const keptColumns = new Set(['id', 'externalId', 'provisionalPartnerId', 'mergedIntoId', 'enrolledAt']);

/** The text left of a message once erased: that it was sent stays countable, not to whom or what. */
const erasedMessage = '(erased)';

/** The ledger takes at most this many legs in one request. */
const legsPerRequest = 100;

/** A company's own account is not a person: erasing it would forfeit the company's points. */
export async function refuseCompanyAccount(manager: EntityManager, memberId: string): Promise<void> {
  const [company] = await manager.query(`SELECT name FROM company WHERE "memberId" = $1`, [memberId]);
  if (company) {
    throw new ErasureRefusedError(
      `this is the account of a company (${company.name}), not a person: its managers and employees are erased one by one`,
    );
  }
}

/**
 * Erases the person `memberId` stands for (the member, and the members merged into them), in the
 * caller's transaction. Their addresses, name and profile are erased and their references become
 * pseudonyms; stores' ids for them are unlinked and replaced in what Tessera kept of the stores'
 * events, answers and webhooks, so no store can recognise them while their purchases still count;
 * messages sent to them are kept without address or content; audit entries, care notes, ledger
 * explanations and the days their birthdays were celebrated are redacted; their delivery addresses
 * are emptied; companies employing them no longer reach them; their sessions are revoked and their codes deleted.
 * Their points are forfeited lot by lot, each lot's points attributed to its funder, to breakage or
 * back to the funders' wallets as the program's settings say, so the ledger stays whole. Refused,
 * before anything is written, while points are held for them, and for a company's own account. A member is erased once: asking
 * again answers the first erasure and changes nothing.
 */
export async function eraseMember(
  manager: EntityManager,
  ledger: Ledger,
  order: ErasureOrder,
): Promise<{ erasure: MemberErasure; alreadyErased: boolean }> {
  if (!manager.queryRunner?.isTransactionActive) throw new Error('eraseMember runs in the caller’s transaction');
  let person = await personRecords(manager, order.memberId);
  await refuseCompanyAccount(manager, person.member.id);
  // A store proving one of their addresses (or enrolling one of its ids for them) waits, then finds no one.
  await lockIdentities(manager, identitiesOf(person));
  await lockMemberAccounts(manager, person.accountIds);
  // Read again under the locks: a merge may have committed meanwhile.
  person = await personRecords(manager, person.member.id);
  await lockMemberAccounts(manager, person.accountIds);
  const earlier = await manager.findOneBy(MemberErasure, { memberId: person.member.id });
  if (earlier) return { erasure: earlier, alreadyErased: true };
  let held = 0;
  let incoming = 0;
  for (const accountId of person.accountIds) {
    const balance = await balanceOf(manager, accountId);
    held += balance.held;
    incoming += balance.incoming;
  }
  if (held > 0) {
    throw new ErasureRefusedError(
      `${held} points are held for a reward being shipped: the data can be erased once it is delivered or cancelled`,
    );
  }
  if (incoming > 0) {
    throw new ErasureRefusedError(
      `${incoming} points are pending in a purchase's return window: the data can be erased once they are confirmed or cancelled`,
    );
  }

  const erasureId = randomUUID();
  const pseudonyms = await pseudonymsOf(manager, person);
  const personal = personalData(manager, person, pseudonyms.get(person.member.id)!);
  const { erasureForfeiture } = await programSettings(manager);
  const byFunder = await forfeitPoints(manager, ledger, person, erasureId, erasureForfeiture);
  await redactRecords(manager, person, personal, pseudonyms.get(person.member.id)!);
  await eraseMembers(manager, person, pseudonyms);
  const erasure = manager.create(MemberErasure, {
    id: erasureId,
    memberId: person.member.id,
    requestedBy: order.requestedBy,
    approvedBy: order.approvedBy ?? null,
    reason: redacted(order.reason, personal, 'theirs'),
    pointsForfeited: byFunder.reduce((sum, b) => sum + b.points, 0),
    forfeitedTo: erasureForfeiture,
    byFunder,
  });
  await manager.insert(MemberErasure, erasure);
  return { erasure: await manager.findOneByOrFail(MemberErasure, { id: erasureId }), alreadyErased: false };
}

/** The names under which enrolment locks the person's addresses and stores' ids (see lockIdentities). */
function identitiesOf(person: PersonRecords): string[] {
  const members = [person.member, ...person.former.map((f) => f.member)];
  return [
    ...members.flatMap((m) => [...(m.email ? [`email:${m.email}`] : []), ...(m.phone ? [`phone:${m.phone}`] : [])]),
    ...person.storeIds.map((s) => `customer:${s.partnerId}:${s.customerId}`),
  ];
}

/** `erased-` and the start of each member's id: unique, and says nothing of them. */
async function pseudonymsOf(manager: EntityManager, person: PersonRecords): Promise<Map<string, string>> {
  const pseudonyms = new Map<string, string>();
  for (const id of person.memberIds) {
    const short = `erased-${id.replaceAll('-', '').slice(0, 12)}`;
    const taken = await manager.existsBy(Member, { externalId: short });
    pseudonyms.set(id, taken ? `erased-${id.replaceAll('-', '')}` : short);
  }
  return pseudonyms;
}

/** Every string that names the person, and what replaces it. */
function personalData(manager: EntityManager, person: PersonRecords, current: string): PersonalData {
  const members = [person.member, ...person.former.map((f) => f.member)];
  const addresses = members.flatMap((m) => [m.email, m.phone]).filter((a): a is string => !!a);
  // Their name, and any other profile text long enough to say something (not a language code).
  const profileText = members.flatMap((m) =>
    personalColumns(manager)
      .filter((column) => column.isNullable)
      .map((column) => [column.propertyName, column.getEntityValue(m)] as const)
      .filter(([name, value]) => typeof value === 'string' && !addresses.includes(value) && (name === 'displayName' || value.length >= 4))
      .map(([, value]) => value as string),
  );
  const replacements = new Map<string, string>();
  for (const text of [...addresses, ...profileText]) replacements.set(text.toLowerCase(), erasedText);
  // Whatever id named them, their records now name the person by the pseudonym they go by.
  for (const id of [...members.map((m) => m.externalId), ...person.storeIds.map((s) => s.customerId)]) {
    replacements.set(id.toLowerCase(), current);
  }
  return {
    replacements,
    anywhere: addresses,
    theirs: [...profileText, ...members.map((m) => m.externalId), ...person.storeIds.map((s) => s.customerId)],
  };
}

function personalColumns(manager: EntityManager) {
  return manager.connection.getMetadata(Member).columns.filter((column) => !keptColumns.has(column.propertyName));
}

/**
 * Moves every point left in the person's lots out of their accounts, each lot on its own leg (as
 * expiry does) so that each is attributed to the partner who funded it: to breakage, or back to
 * that partner's wallet when the program's settings say so (the program's own points go to
 * breakage either way).
 */
async function forfeitPoints(
  manager: EntityManager,
  ledger: Ledger,
  person: PersonRecords,
  erasureId: string,
  forfeitedTo: ErasureForfeiture,
): Promise<ForfeitedPoints[]> {
  const lots: { id: string; memberAccountId: string; remaining: string; fundingPartnerId: string | null }[] = await manager.query(
    `SELECT id, "memberAccountId", remaining, "fundingPartnerId" FROM point_lot
      WHERE "memberAccountId" = ANY($1::uuid[]) AND remaining > 0 ORDER BY "expiresAt" NULLS LAST, "createdAt", id`,
    [person.accountIds],
  );
  if (lots.length === 0) return [];
  const breakage = await accountByCode(manager, programAccounts.breakage);
  const legs: LegRequest[] = [];
  for (const lot of lots) {
    const points = Number(lot.remaining);
    const backToFunder = forfeitedTo === 'funders' && lot.fundingPartnerId !== null;
    legs.push({
      debitAccountId: lot.memberAccountId,
      creditAccountId: backToFunder ? (await partnerWallet(manager, lot.fundingPartnerId!)).id : breakage.id,
      amount: points,
      kind: 'expire',
      fromLotIds: [lot.id],
      references: { erasure: erasureId, lot: lot.id, ...(lot.fundingPartnerId ? { partner: lot.fundingPartnerId } : {}) },
      explanation: [
        {
          rule: 'erasure',
          points: -points,
          reason: backToFunder ? 'points back to their funder: the member was erased' : 'points forfeited: the member was erased',
        },
      ],
    });
  }
  for (let start = 0; start < legs.length; start += legsPerRequest) {
    await ledger.transfer(
      { source: 'system:erasure', key: `${erasureId}:${start / legsPerRequest}`, legs: legs.slice(start, start + legsPerRequest) },
      manager,
    );
  }
  const byFunder = new Map<string | null, number>();
  for (const lot of lots) byFunder.set(lot.fundingPartnerId, (byFunder.get(lot.fundingPartnerId) ?? 0) + Number(lot.remaining));
  return [...byFunder].map(([partnerId, points]) => ({ partnerId, points }));
}

/**
 * Rewrites the columns of rows that name the person. `text` columns hold text, the others JSON;
 * a row is written only when something in it changed.
 */
async function redactRows(
  manager: EntityManager,
  rows: { table: string; where: string; parameters: unknown[]; text?: string[]; json?: string[] },
  personal: PersonalData,
  scope: 'theirs' | 'anyone',
): Promise<void> {
  const text = rows.text ?? [];
  const json = rows.json ?? [];
  const columns = [...text, ...json];
  const found: Record<string, unknown>[] = await manager.query(
    `SELECT id, ${columns.map((c) => `"${c}"`).join(', ')} FROM ${rows.table} WHERE ${rows.where}`,
    rows.parameters,
  );
  for (const row of found) {
    const changed = columns.filter((column) => redacted(row[column], personal, scope) !== row[column]);
    if (changed.length === 0) continue;
    const values = changed.map((column) => {
      const value = redacted(row[column], personal, scope);
      return json.includes(column) ? JSON.stringify(value) : value;
    });
    await manager.query(
      `UPDATE ${rows.table} SET ${changed.map((c, i) => `"${c}" = $${i + 2}${json.includes(c) ? '::jsonb' : ''}`).join(', ')} WHERE id = $1`,
      [row.id, ...values],
    );
  }
}

/** Everything but the member rows: stores' records, messages, care notes, the audit log, the ledger's words. */
async function redactRecords(manager: EntityManager, person: PersonRecords, personal: PersonalData, pseudonym: string): Promise<void> {
  const ids = person.memberIds;
  const members = [person.member, ...person.former.map((f) => f.member)];
  const references = members.map((m) => m.externalId);
  const emails = members.map((m) => m.email?.toLowerCase()).filter((a): a is string => !!a);
  const phones = members.map((m) => m.phone).filter((a): a is string => !!a);
  const storeIds = storeIdParameters(person.storeIds);

  // What the audit log says about their records is theirs: gathered before their references change.
  const [{ recordIds }]: [{ recordIds: string[] }] = await manager.query(
    `SELECT ARRAY(
       SELECT id::text FROM care_adjustment WHERE "memberExternalId" = ANY($2::text[])
       UNION SELECT id::text FROM redemption WHERE "memberId" = ANY($1::uuid[])
       UNION SELECT o.id::text FROM fulfilment_order o JOIN redemption r ON r.id = o."redemptionId" WHERE r."memberId" = ANY($1::uuid[])
       UNION SELECT id::text FROM erasure_request WHERE "memberId" = ANY($1::uuid[])
       UNION SELECT unnest($1::uuid[])::text
     ) AS "recordIds"`,
    [ids, references],
  );
  await redactRows(
    manager,
    { table: 'audit_entry', where: `"recordId" = ANY($1::text[])`, parameters: [recordIds], json: ['before', 'after'] },
    personal,
    'theirs',
  );
  await redactRows(
    manager,
    {
      table: 'audit_entry',
      where: `EXISTS (SELECT 1 FROM unnest($1::text[]) a WHERE strpos(lower(concat(before::text, after::text)), lower(a)) > 0)`,
      parameters: [personal.anywhere],
      json: ['before', 'after'],
    },
    personal,
    'anyone',
  );
  await redactRows(
    manager,
    {
      table: 'care_adjustment',
      where: `"memberExternalId" = ANY($1::text[])`,
      parameters: [references],
      text: ['memberExternalId', 'reason'],
    },
    personal,
    'theirs',
  );
  await redactRows(
    manager,
    { table: 'erasure_request', where: `"memberId" = ANY($1::uuid[])`, parameters: [ids], text: ['reason'] },
    personal,
    'theirs',
  );
  await redactRows(
    manager,
    { table: 'redemption', where: `"memberId" = ANY($1::uuid[]) AND outcome IS NOT NULL`, parameters: [ids], text: ['outcome'] },
    personal,
    'theirs',
  );
  await redactRows(
    manager,
    {
      table: 'ledger_transfer',
      where: `"debitAccountId" = ANY($1::uuid[]) OR "creditAccountId" = ANY($1::uuid[])`,
      parameters: [person.accountIds],
      json: ['references', 'explanation'],
    },
    personal,
    'theirs',
  );
  // The stores' own records name them by the store's id: webhooks sent, and the API's kept answers.
  await redactRows(
    manager,
    {
      table: 'webhook_delivery',
      where: namesStoreId('(SELECT e."partnerId" FROM webhook_endpoint e WHERE e.id = webhook_delivery."endpointId")', 'payload', 1),
      parameters: storeIds,
      json: ['payload'],
    },
    personal,
    'theirs',
  );
  await redactRows(
    manager,
    { table: 'api_request', where: namesStoreId('"partnerId"', 'response', 1), parameters: storeIds, json: ['response'] },
    personal,
    'theirs',
  );
  await manager.query(`UPDATE member_event SET "customerId" = $2 WHERE "memberId" = ANY($1::uuid[]) AND "customerId" <> $2`, [
    ids,
    pseudonym,
  ]);
  await manager.query(`UPDATE member_link_removal SET "customerId" = $2 WHERE "memberId" = ANY($1::uuid[]) AND "customerId" <> $2`, [
    ids,
    pseudonym,
  ]);
  // Where their rewards went: nothing is on its way to them any more (erasure waits for what is held).
  await manager.query(
    `UPDATE redemption SET "shipToName" = NULL, "shipToStreet" = NULL, "shipToPostalCode" = NULL, "shipToCity" = NULL, "shipToCountry" = NULL
      WHERE "memberId" = ANY($1::uuid[]) AND ("shipToName" IS NOT NULL OR "shipToStreet" IS NOT NULL)`,
    [ids],
  );
  // A company employing them gives them nothing more (it would land in an account nobody reaches);
  // each row keeps an address of its own, what they received staying in the company's reports.
  await manager.query(
    `UPDATE company_employee SET address = 'erased-' || replace(id::text, '-', ''), "removedAt" = COALESCE("removedAt", now())
      WHERE "memberId" = ANY($1::uuid[]) OR address = ANY($2::text[])`,
    [ids, [...emails, ...phones]],
  );
  await redactBirthdays(manager, person);

  await redactRows(
    manager,
    { table: 'sent_email', where: `lower("to") = ANY($1::text[])`, parameters: [emails], text: ['subject'] },
    personal,
    'theirs',
  );
  await manager.query(`UPDATE sent_email SET "to" = $2, text = $3, html = NULL WHERE lower("to") = ANY($1::text[])`, [
    emails,
    pseudonym,
    erasedMessage,
  ]);
  await manager.query(`UPDATE sent_sms SET "to" = $3, text = $4 WHERE "memberId" = ANY($1::uuid[]) OR "to" = ANY($2::text[])`, [
    ids,
    phones,
    pseudonym,
    erasedMessage,
  ]);
  await manager.query(`DELETE FROM member_code WHERE "memberId" = ANY($1::uuid[]) OR address = ANY($2::text[])`, [
    ids,
    [...emails, ...phones],
  ]);
  await manager.query(`UPDATE member_session SET "revokedAt" = now() WHERE "memberId" = ANY($1::uuid[]) AND "revokedAt" IS NULL`, [ids]);
  await manager.query(`DELETE FROM member_link WHERE "memberId" = ANY($1::uuid[])`, [ids]);
}

/**
 * The days their birthdays were celebrated tell their day of birth: gone from the messages' records
 * and from the words of the bonuses' transfers.
 */
async function redactBirthdays(manager: EntityManager, person: PersonRecords): Promise<void> {
  const celebrated: { day: string }[] = await manager.query(
    `SELECT DISTINCT details->>'birthdayOn' AS day FROM member_message
      WHERE "memberId" = ANY($1::uuid[]) AND kind = 'birthday' AND details ? 'birthdayOn'`,
    [person.memberIds],
  );
  if (celebrated.length === 0) return;
  const days = celebrated.map((c) => c.day);
  const birthdays: PersonalData = { replacements: new Map(days.map((d) => [d, erasedText])), anywhere: [], theirs: days };
  await redactRows(
    manager,
    {
      table: 'member_message',
      where: `"memberId" = ANY($1::uuid[]) AND kind = 'birthday'`,
      parameters: [person.memberIds],
      json: ['details'],
    },
    birthdays,
    'theirs',
  );
  await redactRows(
    manager,
    {
      table: 'ledger_transfer',
      where: `"idempotencySource" = 'system:birthday' AND "creditAccountId" = ANY($1::uuid[])`,
      parameters: [person.accountIds],
      json: ['references', 'explanation'],
    },
    birthdays,
    'theirs',
  );
}

/** The member rows: every personal column emptied (or back to its default), the reference (and the account's code) a pseudonym. */
async function eraseMembers(manager: EntityManager, person: PersonRecords, pseudonyms: Map<string, string>): Promise<void> {
  // The rest (language, time zone, message choices) go back to what a new member starts with.
  const emptied = Object.fromEntries(
    personalColumns(manager)
      .filter((column) => column.isNullable || (column.default !== undefined && typeof column.default !== 'function'))
      .map((column) => [column.propertyName, column.isNullable ? null : column.default]),
  );
  for (const id of person.memberIds) {
    const pseudonym = pseudonyms.get(id)!;
    await manager.update(Member, { id }, { ...emptied, externalId: pseudonym });
    await manager.query(`UPDATE ledger_account SET code = $2 || COALESCE(':credit:' || "creditProgramId", '') WHERE "memberId" = $1`, [
      id,
      `member:${pseudonym}`,
    ]);
  }
}
