import type { EntityManager } from 'typeorm';
import { LedgerAccount, LedgerBalance, pointsUnit, type AccountKind, type AccountUnit } from '../../entities/index.js';
import { AccountNotFoundError } from './errors.js';

/** The program's own accounts: where points come from and where they end. */
export const programAccounts = {
  /** Debited when a partner buys points: its balance is minus every point ever sold. */
  issuance: 'program:issuance',
  /** Credited with points members burn on rewards. */
  redemption: 'program:redemption',
  /** Credited with points that expire (breakage). */
  breakage: 'program:breakage',
  /** Funds care agents' goodwill adjustments and takes back their corrections. */
  care: 'program:care',
  /** Funds the program's own bonuses, such as bringing back inactive members. */
  marketing: 'program:marketing',
} as const;
export type ProgramAccount = keyof typeof programAccounts;

/**
 * Shards of an account every earn or burn touches. Each is a row that a transaction can lock on
 * its own, so up to this many transfers on one partner run at once instead of queueing.
 */
export const hotAccountShards = 32;

export interface AccountMeta {
  id: string;
  code: string;
  kind: AccountKind;
  partnerId: string | null;
  memberId: string | null;
  mayGoNegative: boolean;
  shardCount: number;
  unit: AccountUnit;
}

// Accounts never change once opened, so their description is cached for the hot path.
const metaCache = new Map<string, AccountMeta>();

async function openAccount(
  manager: EntityManager,
  fields: Pick<AccountMeta, 'code' | 'kind' | 'mayGoNegative' | 'shardCount'> & {
    memberId?: string;
    partnerId?: string;
    unit?: AccountUnit;
    creditProgramId?: string;
  },
): Promise<LedgerAccount> {
  const existing = await manager.findOneBy(LedgerAccount, { code: fields.code });
  if (existing) return existing;
  const account = manager.create(LedgerAccount, {
    code: fields.code,
    kind: fields.kind,
    mayGoNegative: fields.mayGoNegative,
    shardCount: fields.shardCount,
    memberId: fields.memberId ?? null,
    partnerId: fields.partnerId ?? null,
    unit: fields.unit ?? pointsUnit,
    creditProgramId: fields.creditProgramId ?? null,
  });
  await manager.createQueryBuilder().insert().into(LedgerAccount).values(account).orIgnore().execute();
  const saved = await manager.findOneByOrFail(LedgerAccount, { code: fields.code });
  const shards = Array.from({ length: saved.shardCount }, (_, shard) => ({
    accountId: saved.id,
    shard,
    mayGoNegative: saved.mayGoNegative,
  }));
  await manager.createQueryBuilder().insert().into(LedgerBalance).values(shards).orIgnore().execute();
  return saved;
}

export function openMemberAccount(manager: EntityManager, member: { id: string; externalId: string }) {
  return openAccount(manager, {
    code: `member:${member.externalId}`,
    kind: 'member',
    memberId: member.id,
    mayGoNegative: false,
    shardCount: 1,
  });
}

export function openPartnerWallet(manager: EntityManager, partner: { id: string; code: string }) {
  return openAccount(manager, {
    code: `partner:${partner.code}`,
    kind: 'partner_wallet',
    partnerId: partner.id,
    mayGoNegative: false,
    shardCount: hotAccountShards,
  });
}

/** A member's store-credit account in a credit program, counting minor units of its currency. */
export function openMemberCreditAccount(
  manager: EntityManager,
  member: { id: string; externalId: string },
  program: { id: string; currency: string },
) {
  return openAccount(manager, {
    code: `member:${member.externalId}:credit:${program.id}`,
    kind: 'member',
    memberId: member.id,
    mayGoNegative: false,
    shardCount: 1,
    unit: program.currency,
    creditProgramId: program.id,
  });
}

/**
 * A credit program's own accounts in its currency: `issuance` pays cashback (its balance is minus
 * all credit ever given), `redemption` receives credit members spend.
 */
export async function openCreditProgramAccounts(manager: EntityManager, program: { id: string; currency: string }) {
  const open = (role: string) =>
    openAccount(manager, {
      code: `credit:${program.id}:${role}`,
      kind: 'program',
      mayGoNegative: true,
      shardCount: hotAccountShards,
      unit: program.currency,
      creditProgramId: program.id,
    });
  return { issuance: await open('issuance'), redemption: await open('redemption') };
}

/** Opens the program accounts if they are missing; safe to call at every start. */
export async function openProgramAccounts(manager: EntityManager): Promise<Record<ProgramAccount, LedgerAccount>> {
  const opened = {} as Record<ProgramAccount, LedgerAccount>;
  for (const [name, code] of Object.entries(programAccounts) as [ProgramAccount, string][]) {
    opened[name] = await openAccount(manager, { code, kind: 'program', mayGoNegative: true, shardCount: hotAccountShards });
  }
  return opened;
}

export async function accountByCode(manager: EntityManager, code: string): Promise<LedgerAccount> {
  const account = await manager.findOneBy(LedgerAccount, { code });
  if (!account) throw new AccountNotFoundError(code);
  return account;
}

export async function describeAccounts(manager: EntityManager, ids: string[]): Promise<Map<string, AccountMeta>> {
  const missing = ids.filter((id) => !metaCache.has(id));
  if (missing.length > 0) {
    const rows: AccountMeta[] = await manager.query(
      `SELECT id, code, kind, "partnerId", "memberId", "mayGoNegative", "shardCount", unit
         FROM ledger_account WHERE id = ANY($1::uuid[])`,
      [missing],
    );
    for (const row of rows) metaCache.set(row.id, row);
  }
  const found = new Map<string, AccountMeta>();
  for (const id of ids) {
    const meta = metaCache.get(id);
    if (!meta) throw new AccountNotFoundError(id);
    found.set(id, meta);
  }
  return found;
}

export interface Balance {
  /** Posted credits minus posted debits. */
  posted: number;
  /** Points held by pending debits (not yet posted or voided). */
  held: number;
  /** What can be spent now: posted minus held. */
  available: number;
  /** Points on their way in through pending credits. */
  incoming: number;
}

export async function balanceOf(manager: EntityManager, accountId: string): Promise<Balance> {
  const [row] = await manager.query(
    `SELECT COALESCE(SUM("creditsPosted" - "debitsPosted"), 0)::bigint AS posted,
            COALESCE(SUM("debitsPending"), 0)::bigint AS held,
            COALESCE(SUM("creditsPending"), 0)::bigint AS incoming,
            COUNT(*)::int AS shards
       FROM ledger_balance WHERE "accountId" = $1`,
    [accountId],
  );
  if (!row || row.shards === 0) throw new AccountNotFoundError(accountId);
  const posted = Number(row.posted);
  const held = Number(row.held);
  return { posted, held, available: posted - held, incoming: Number(row.incoming) };
}

const walletCache = new Map<string, LedgerAccount>();

/** A partner's wallet account (it never changes once opened, so it is cached). */
export async function partnerWallet(manager: EntityManager, partnerId: string): Promise<LedgerAccount> {
  const cached = walletCache.get(partnerId);
  if (cached) return cached;
  const wallet = await manager.findOneBy(LedgerAccount, { partnerId, kind: 'partner_wallet' });
  if (!wallet) throw new AccountNotFoundError(`partner:${partnerId}`);
  walletCache.set(partnerId, wallet);
  return wallet;
}
