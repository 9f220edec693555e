import type { EntityManager } from 'typeorm';
import { isUuid } from './ids.js';
import { formatMoney } from './money.js';

/** What a record is called where people read it, and the record whose page tells more about it. */
export interface RecordName {
  name: string;
  /** The kind of record the page is of (an account is its member's or partner's), and its id. */
  page?: { kind: string; id: string };
}

const number = new Intl.NumberFormat('en');

/** A member as care and staff call them: their name, else their email, else the id their first store gave them. */
const memberName = `coalesce(nullif(m."displayName", ''), m.email, m."externalId")`;

/** One SQL per kind of record: `id` and `name` of the records among $1 (uuid[]). */
const namers: Record<string, string> = {
  Member: `SELECT m.id, ${memberName} AS name FROM member m WHERE m.id = ANY($1)`,
  Partner: `SELECT id, name FROM partner WHERE id = ANY($1)`,
  PointOfSale: `SELECT s.id, s.name || ' (' || p.name || ')' AS name FROM point_of_sale s JOIN partner p ON p.id = s."partnerId" WHERE s.id = ANY($1)`,
  ApiKey: `SELECT id, prefix || '… (' || name || ')' AS name FROM api_key WHERE id = ANY($1)`,
  PointPackage: `SELECT id, name FROM point_package WHERE id = ANY($1)`,
  MemberEvent: `SELECT e.id, e.type || ' at ' || p.name || ', ' || to_char(e."occurredAt", 'YYYY-MM-DD') AS name FROM member_event e JOIN partner p ON p.id = e."partnerId" WHERE e.id = ANY($1)`,
  Invoice: `SELECT id, 'Invoice ' || number AS name FROM invoice WHERE id = ANY($1)`,
  Reward: `SELECT id, name FROM reward WHERE id = ANY($1)`,
  Tier: `SELECT id, name FROM tier WHERE id = ANY($1)`,
  EarningRule: `SELECT id, name FROM earning_rule WHERE id = ANY($1)`,
  Booster: `SELECT id, name FROM booster WHERE id = ANY($1)`,
  Bonus: `SELECT id, name FROM bonus WHERE id = ANY($1)`,
  Company: `SELECT id, name FROM company WHERE id = ANY($1)`,
  CompanyEmployee: `SELECT id, address AS name FROM company_employee WHERE id = ANY($1)`,
  CompanyFunding: `SELECT f.id, c.name || ', reference ' || f.reference AS name FROM company_funding f JOIN company c ON c.id = f."companyId" WHERE f.id = ANY($1)`,
  StaffUser: `SELECT id, name || ' (' || email || ')' AS name FROM staff_user WHERE id = ANY($1)`,
  Redemption: `SELECT r.id, w.name || ' for ' || ${memberName} AS name FROM redemption r JOIN reward w ON w.id = r."rewardId" JOIN member m ON m.id = r."memberId" WHERE r.id = ANY($1)`,
  FulfilmentOrder: `SELECT o.id, w.name || ' for ' || ${memberName} AS name FROM fulfilment_order o JOIN redemption r ON r.id = o."redemptionId" JOIN reward w ON w.id = r."rewardId" JOIN member m ON m.id = r."memberId" WHERE o.id = ANY($1)`,
  ErasureRequest: `SELECT e.id, 'Erasure of ' || ${memberName} AS name FROM erasure_request e JOIN member m ON m.id = e."memberId" WHERE e.id = ANY($1)`,
  CareAdjustment: `SELECT id, 'Adjustment of ' || points || ' points for ' || "memberExternalId" AS name FROM care_adjustment WHERE id = ANY($1)`,
  WebhookEndpoint: `SELECT w.id, p.name || ': ' || w.url AS name FROM webhook_endpoint w JOIN partner p ON p.id = w."partnerId" WHERE w.id = ANY($1)`,
};

const transferKindWords: Record<string, string> = {
  purchase: 'points bought',
  earn: 'earned',
  bonus: 'bonus',
  burn: 'spent',
  expire: 'expired',
  adjust: 'care adjustment',
  transfer: 'gift between members',
  reversal: 'reversal',
  rebalance: 'rebalance',
  merge: 'merge of accounts',
  allocation: 'allocated to a funding source',
};

/** The program's own accounts, as the operator reads them. */
const programAccounts: Record<string, string> = {
  'program:issuance': 'Program: points issued',
  'program:redemption': 'Program: points spent',
  'program:breakage': 'Program: breakage (expired)',
  'program:care': 'Program: care adjustments',
  'program:marketing': 'Program: marketing',
};

/** A hold and what resolved it read apart from each other (a hold and its post move the same points once). */
const phaseWords: Record<string, string> = { pending: ' (held)', post: ' (hold posted)', void: ' (hold released)' };

/** An amount of an account's unit: points, or store credit's minor units of a currency, as money. */
const inUnit = (amount: number, unit: string) => (unit === 'points' ? `${number.format(amount)} points` : formatMoney(amount, unit));

/**
 * The names of records of one kind (an entity's name, or `LedgerAccount`), by id. A record that
 * is not found has no name; a kind without a namer names its records by their kind alone.
 */
export async function recordNames(manager: EntityManager, kind: string, ids: unknown[]): Promise<Map<string, RecordName>> {
  const wanted = [...new Set(ids.filter(isUuid))];
  const names = new Map<string, RecordName>();
  if (wanted.length === 0) return names;
  if (kind === 'LedgerTransfer') {
    const rows: { id: string; seq: string; kind: string; phase: string; amount: string; unit: string }[] = await manager.query(
      `SELECT t.id, t.seq, t.kind, t.phase, t.amount, a.unit FROM ledger_transfer t JOIN ledger_account a ON a.id = t."debitAccountId" WHERE t.id = ANY($1)`,
      [wanted],
    );
    for (const row of rows) {
      names.set(row.id, {
        name: `#${row.seq}: ${transferKindWords[row.kind] ?? row.kind}, ${inUnit(Number(row.amount), row.unit)}${phaseWords[row.phase] ?? ''}`,
        page: { kind, id: row.id },
      });
    }
    return names;
  }
  if (kind === 'PointLot') {
    const rows: { id: string; points: string; unit: string; day: string; funder: string | null }[] = await manager.query(
      `SELECT l.id, l.points, a.unit, to_char(l."createdAt", 'YYYY-MM-DD') AS day, p.name AS funder
         FROM point_lot l JOIN ledger_account a ON a.id = l."memberAccountId" LEFT JOIN partner p ON p.id = l."fundingPartnerId"
        WHERE l.id = ANY($1)`,
      [wanted],
    );
    for (const row of rows) {
      const what = row.unit === 'points' ? inUnit(Number(row.points), row.unit) : `${inUnit(Number(row.points), row.unit)} store credit`;
      names.set(row.id, {
        name: `lot of ${what} from ${row.day} funded by ${row.funder ?? 'the program'}`,
        page: { kind, id: row.id },
      });
    }
    return names;
  }
  if (kind === 'LedgerAccount') {
    const rows: {
      id: string;
      code: string;
      kind: string;
      memberId: string | null;
      partnerId: string | null;
      owner: string | null;
      sourceId: string | null;
      source: string | null;
      creditProgram: string | null;
    }[] = await manager.query(
      `SELECT a.id, a.code, a.kind, a."memberId", a."partnerId", coalesce(p.name, ${memberName}) AS owner, s.id AS "sourceId", s.name AS source, c.name AS "creditProgram"
         FROM ledger_account a LEFT JOIN partner p ON p.id = a."partnerId" LEFT JOIN member m ON m.id = a."memberId"
         LEFT JOIN funding_source s ON s."accountId" = a.id
         LEFT JOIN credit_program c ON c.id = a."creditProgramId"
        WHERE a.id = ANY($1)`,
      [wanted],
    );
    for (const row of rows) {
      if (row.sourceId) names.set(row.id, { name: `Funding source: ${row.source}`, page: { kind: 'FundingSource', id: row.sourceId } });
      // Store credit reads as whose and in which program: "Ann de Vries (store credit, Koffie club)", "Koffie club: credit issued".
      else if (row.memberId && row.creditProgram) {
        names.set(row.id, {
          name: `${row.owner ?? row.code} (store credit, ${row.creditProgram})`,
          page: { kind: 'Member', id: row.memberId },
        });
      } else if (row.creditProgram)
        names.set(row.id, { name: `${row.creditProgram}: credit ${row.code.endsWith(':issuance') ? 'issued' : 'spent'}` });
      else if (row.memberId) names.set(row.id, { name: row.owner ?? row.code, page: { kind: 'Member', id: row.memberId } });
      else if (row.partnerId) names.set(row.id, { name: `${row.owner} wallet`, page: { kind: 'Partner', id: row.partnerId } });
      else names.set(row.id, { name: programAccounts[row.code] ?? row.code.replace(/^program:/, 'Program: ') });
    }
    return names;
  }
  const sql = namers[kind];
  if (!sql) {
    for (const id of wanted) names.set(id, { name: `a ${kind.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase()}`, page: { kind, id } });
    return names;
  }
  const rows: { id: string; name: string | null }[] = await manager.query(sql, [wanted]);
  for (const row of rows) names.set(row.id, { name: row.name ?? '', page: { kind, id: row.id } });
  return names;
}
