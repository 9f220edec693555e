import type { DataSource, EntityManager } from 'typeorm';
import { operatorParty, SettlementLine, SettlementStatement, type SettlementLineKind } from '../../entities/index.js';
import { programSettings } from '../earning/program-settings.js';

export interface StatementLineDocument {
  kind: SettlementLineKind;
  /** The line in words, naming the other party. */
  description: string;
  points: number;
  valueMinor: number;
  amountMinor: number;
  transferIds: string[];
}

/** A statement as its readers see it: parties by name, lines in words. */
export interface StatementDocument {
  statement: SettlementStatement;
  /** Who issues statements: the operator's name, as on invoices. */
  issuer: string;
  partyName: string;
  contactEmail: string | null;
  lines: StatementLineDocument[];
}

const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "October 2026" */
export const periodName = (statement: Pick<SettlementStatement, 'periodStart'>) => monthName.format(statement.periodStart);

function describe(kind: SettlementLineKind, counterparty: string, own: boolean, sharePercent: number): string {
  switch (kind) {
    case 'issued':
      return 'Points issued to members';
    case 'redeemed_at':
      return own ? 'Own points honoured here (nothing to settle)' : `Points funded by ${counterparty} honoured here`;
    case 'redeemed_elsewhere':
      return `Own points honoured by ${counterparty}`;
    case 'breakage':
      return own ? 'Own points expired (nothing to settle)' : `Own points expired: ${sharePercent}% of their value to the operator`;
    case 'breakage_share':
      return `Share of the points of ${counterparty} that expired`;
  }
}

/** The statement with its lines in order and every party named; null when there is none with that id. */
export async function statementDocument(manager: EntityManager, statementId: string): Promise<StatementDocument | null> {
  const statement = await manager.findOne(SettlementStatement, { where: { id: statementId }, relations: { partner: true } });
  if (!statement) return null;
  const settings = await programSettings(manager);
  const lines = await manager.find(SettlementLine, {
    where: { statementId },
    relations: { counterpartyPartner: true },
    order: { position: 'ASC' },
  });
  // The transfers behind a line read in the order they happened (a hold before its post), as in the ledger.
  const ordered: { id: string }[] = await manager.query(`SELECT id FROM ledger_transfer WHERE id = ANY($1::uuid[]) ORDER BY seq`, [
    lines.flatMap((line) => line.transferIds),
  ]);
  const position = new Map(ordered.map((row, index) => [row.id, index]));
  const inLedgerOrder = (ids: string[]) => [...ids].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  const operatorName = `${settings.invoiceIssuer} (operator)`;
  const nameOf = (line: SettlementLine) => (line.counterparty === operatorParty ? operatorName : (line.counterpartyPartner?.name ?? ''));
  return {
    statement,
    issuer: settings.invoiceIssuer,
    partyName: statement.partner?.name ?? operatorName,
    contactEmail: statement.partner?.contactEmail ?? null,
    lines: lines.map((line) => ({
      kind: line.kind,
      description: describe(line.kind, nameOf(line), line.counterparty === statement.party, statement.breakageOperatorSharePercent),
      points: line.points,
      valueMinor: line.valueMinor,
      amountMinor: line.amountMinor,
      transferIds: inLedgerOrder(line.transferIds),
    })),
  };
}

/** The partners' statements of a period that were not emailed yet. */
export async function statementsToEmail(manager: EntityManager, period: string): Promise<string[]> {
  const statements = await manager.find(SettlementStatement, {
    select: { id: true, partnerId: true },
    where: { period, status: 'computed' },
    order: { party: 'ASC' },
  });
  return statements.filter((s) => s.partnerId !== null).map((s) => s.id);
}

/**
 * Sends a statement once: `send` runs while the statement is locked and still unsent, and the
 * statement is noted as emailed in the same transaction, so a concurrent run waits and then finds it
 * sent. False when it was sent already, or there is no one to send it to.
 */
export async function emailStatementOnce(
  dataSource: DataSource,
  statementId: string,
  send: (document: StatementDocument, to: string) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const locked = await manager.findOne(SettlementStatement, { where: { id: statementId }, lock: { mode: 'pessimistic_write' } });
    if (!locked || locked.status !== 'computed') return false;
    const document = await statementDocument(manager, statementId);
    if (!document?.contactEmail) return false;
    await send(document, document.contactEmail);
    await manager.update(
      SettlementStatement,
      { id: statementId },
      { status: 'emailed', emailedAt: new Date(), emailedTo: document.contactEmail },
    );
    return true;
  });
}
