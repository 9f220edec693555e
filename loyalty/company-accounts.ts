import { randomBytes, randomUUID } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import { Company, CompanyFunding, CompanyManager, Member, Partner } from '../entities/index.js';
import { normalizeEmail } from './contact-addresses.js';
import { computeExpiry } from './earning/expiry-policy.js';
import { programSettings } from './earning/program-settings.js';
import { isUuid } from './ids.js';
import { accountByCode, openMemberAccount, partnerWallet, programAccounts } from './ledger/accounts.js';
import { refuseShortfall } from './ledger/errors.js';
import type { Ledger } from './ledger/ledger.js';
import { memberWithAccount, type ResolvedMember } from './member-identity.js';
import { Refusal } from './refusal.js';

/** Whoever is not a manager of the company learns nothing of it, not even that it exists. */
export class NotAManagerError extends Refusal {
  constructor() {
    super('not_allowed', 'only the managers of a company may see it or give its points');
  }
}

export class CompanyRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('company_refused', reason, field);
  }
}

/** Serialises what decides on one name (a company's, a funding reference) until the transaction ends. */
async function lockName(manager: EntityManager, name: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [name]);
}

/**
 * The members who proved these emails, for managers: a company's points are given by people the
 * program can reach and who sign in with that email.
 */
async function membersProving(manager: EntityManager, emails: string[]): Promise<Member[]> {
  const wanted = [...new Set(emails.map(normalizeEmail).filter((email) => email !== ''))];
  if (wanted.length === 0) throw new CompanyRefusedError('managerEmails', 'name at least one manager by the email they sign in with');
  const found = await manager
    .createQueryBuilder(Member, 'm')
    .where('m.email IN (:...wanted) AND m."emailVerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL', { wanted })
    .getMany();
  const missing = wanted.filter((email) => !found.some((m) => m.email === email));
  if (missing.length > 0) {
    throw new CompanyRefusedError(
      'managerEmails',
      `no member has proved ${missing.join(', ')} yet: each signs in once at /member with their email, then they can be named`,
    );
  }
  return found;
}

/** A company's name as typed, trimmed, when no other company has it in any case. */
async function freeName(manager: EntityManager, typed: string, companyId: string | null = null): Promise<string> {
  const name = typed.trim();
  if (name === '' || name.length > 100) throw new CompanyRefusedError('name', 'give the company a name of 1 to 100 characters');
  await lockName(manager, `company-name:${name.toLowerCase()}`);
  const [taken] = await manager.query(`SELECT 1 FROM company WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2`, [name, companyId]);
  if (taken) throw new CompanyRefusedError('name', `another company is already called ${name}`);
  return name;
}

/**
 * Sets up a company: a member record of its own whose account will hold its points (nobody can
 * sign in as it: it has no address), and its managers, named by the emails they proved.
 */
export async function createCompany(
  manager: EntityManager,
  setup: { name: string; managerEmails: string[]; createdBy: string },
): Promise<Company> {
  const name = await freeName(manager, setup.name);
  const managers = await membersProving(manager, setup.managerEmails);
  const member = await manager.save(
    manager.create(Member, {
      externalId: `C-${randomBytes(5).toString('hex').toUpperCase()}`,
      email: null,
      emailVerifiedAt: null,
      phone: null,
      phoneVerifiedAt: null,
      displayName: name,
      provisionalPartnerId: null,
      mergedIntoId: null,
    }),
  );
  await openMemberAccount(manager, member);
  const company = await manager.save(manager.create(Company, { name, memberId: member.id, createdBy: setup.createdBy }));
  await manager.insert(
    CompanyManager,
    managers.map((m) => ({ companyId: company.id, memberId: m.id, namedBy: setup.createdBy })),
  );
  return company;
}

/** Renames a company; its employees' histories name it so from then on. */
export async function renameCompany(manager: EntityManager, company: Company, typed: string): Promise<Company> {
  const name = await freeName(manager, typed, company.id);
  await manager.update(Company, { id: company.id }, { name });
  await manager.update(Member, { id: company.memberId }, { displayName: name });
  return manager.findOneByOrFail(Company, { id: company.id });
}

/** Makes these members, and only them, the company's managers. */
export async function nameManagers(manager: EntityManager, companyId: string, emails: string[], namedBy: string): Promise<Member[]> {
  if (!isUuid(companyId) || !(await manager.existsBy(Company, { id: companyId }))) {
    throw new CompanyRefusedError('companyId', 'choose the company');
  }
  const members = await membersProving(manager, emails);
  await manager
    .createQueryBuilder()
    .delete()
    .from(CompanyManager)
    .where('"companyId" = :companyId AND "memberId" NOT IN (:...kept)', { companyId, kept: members.map((m) => m.id) })
    .execute();
  await manager
    .createQueryBuilder()
    .insert()
    .into(CompanyManager)
    .values(members.map((m) => ({ companyId, memberId: m.id, namedBy })))
    .orIgnore()
    .execute();
  return members;
}

/** The emails the company's managers sign in with, for the back office. */
export async function managerEmails(manager: EntityManager, companyId: string): Promise<string[]> {
  const rows: { email: string }[] = await manager.query(
    `SELECT m.email FROM company_manager cm JOIN member m ON m.id = cm."memberId" WHERE cm."companyId" = $1 ORDER BY m.email`,
    [companyId],
  );
  return rows.map((row) => row.email);
}

/**
 * The companies a member manages. A manager merged into another member since being named is that
 * member now, so the manager rows of everyone merged into them count.
 */
export async function managedCompanies(manager: EntityManager, memberId: string): Promise<Company[]> {
  const rows: { companyId: string }[] = await manager.query(
    `WITH RECURSIVE standing(id) AS (
       SELECT $1::uuid UNION SELECT m.id FROM member m JOIN standing s ON m."mergedIntoId" = s.id
     )
     SELECT DISTINCT "companyId" FROM company_manager WHERE "memberId" IN (SELECT id FROM standing)`,
    [memberId],
  );
  if (rows.length === 0) return [];
  return manager.find(Company, { where: { id: In(rows.map((r) => r.companyId)) }, order: { name: 'ASC' } });
}

/** The company, for one of its managers; anyone else is refused. */
export async function companyOfManager(manager: EntityManager, companyId: string, memberId: string): Promise<Company> {
  if (!isUuid(companyId)) throw new NotAManagerError();
  const company = (await managedCompanies(manager, memberId)).find((c) => c.id === companyId);
  if (!company) throw new NotAManagerError();
  return company;
}

/** The company's own member and the account holding its points. */
export function companyAccount(manager: EntityManager, company: Company): Promise<ResolvedMember> {
  return memberWithAccount(manager, company.memberId);
}

export interface Funding {
  companyId: string;
  /** The partner whose wallet pays; null: the program's marketing account. */
  partnerId: string | null;
  points: number;
  reason: string;
  /** The operator's reference: funding again with it funds once. */
  reference: string;
  fundedBy: string;
}

/** What is wrong with a funding's own fields, by field (a form shows them all at once). */
export function fundingProblems(funding: Pick<Funding, 'points' | 'reason' | 'reference'>): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!Number.isSafeInteger(funding.points) || funding.points <= 0) problems.points = 'must be a whole number of points greater than zero';
  if (funding.reason.trim() === '') problems.reason = 'say why the company receives these points';
  // Required: it is what makes a form sent again (after an answer lost on the way) fund once.
  if (funding.reference.trim() === '')
    problems.reference = 'give your reference (an order, a contract): funding again with it moves nothing';
  else if (funding.reference.length > 200) problems.reference = 'must be at most 200 characters';
  return problems;
}

/**
 * Puts points into a company's account, from a partner's wallet (points the partner issues: its
 * lots name it as their funder) or from the program's marketing account (the program funds them).
 * They expire as the program's policy says, counted from today, like points a member earns.
 */
export async function fundCompany(
  manager: EntityManager,
  ledger: Ledger,
  funding: Funding,
): Promise<{ funding: CompanyFunding; replayed: boolean }> {
  const [problem] = Object.entries(fundingProblems(funding));
  if (problem) throw new CompanyRefusedError(...problem);
  const reason = funding.reason.trim();
  const reference = funding.reference.trim();
  const company = isUuid(funding.companyId) ? await manager.findOneBy(Company, { id: funding.companyId }) : null;
  if (!company) throw new CompanyRefusedError('companyId', 'choose the company to fund');
  const partner =
    funding.partnerId === null ? null : isUuid(funding.partnerId) ? await manager.findOneBy(Partner, { id: funding.partnerId }) : null;
  if (funding.partnerId !== null && !partner)
    throw new CompanyRefusedError('partnerId', 'choose the partner who pays, or none for the program');

  await lockName(manager, `company-funding:${company.id}:${reference}`);
  const earlier = await manager.findOneBy(CompanyFunding, { companyId: company.id, reference });
  if (earlier) {
    if (earlier.partnerId !== funding.partnerId || earlier.points !== funding.points) {
      throw new Refusal('idempotency_conflict', `reference ${reference} already funded this company otherwise`, 'reference');
    }
    return { funding: earlier, replayed: true };
  }

  const { member, account } = await companyAccount(manager, company);
  const from = partner ? await partnerWallet(manager, partner.id) : await accountByCode(manager, programAccounts.marketing);
  const settings = await programSettings(manager);
  const id = randomUUID();
  const written = await refuseShortfall(
    from.id,
    () =>
      ledger.transfer(
        {
          source: 'company-funding',
          key: `${company.id}:${reference}`,
          legs: [
            {
              debitAccountId: from.id,
              creditAccountId: account.id,
              amount: funding.points,
              kind: partner ? 'earn' : 'bonus',
              references: { company: company.id, funding: id, agent: funding.fundedBy, ...(partner ? { partner: partner.id } : {}) },
              explanation: [{ rule: 'company funding', points: funding.points, reason }],
              expiresAt: computeExpiry(settings.expiryPolicy, new Date(), member.enrolledAt),
            },
          ],
        },
        manager,
      ),
    'points',
    (short) => `${partner?.name ?? 'The program'} has ${short.available} points to give, ${short.requested} asked`,
  );
  const saved = manager.create(CompanyFunding, {
    id,
    companyId: company.id,
    partnerId: partner?.id ?? null,
    points: funding.points,
    reason,
    reference,
    transferId: written.transfers[0]!.id,
    fundedBy: funding.fundedBy,
  });
  await manager.insert(CompanyFunding, saved);
  return { funding: await manager.findOneByOrFail(CompanyFunding, { id }), replayed: false };
}
