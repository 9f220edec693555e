import type { DataSource } from 'typeorm';
import { operatorParty, Partner, SettlementLine, SettlementStatement } from '../../entities/index.js';
import { programSettings } from '../earning/program-settings.js';
import { inTransaction } from '../ledger/transaction.js';
import { clearPeriod } from './settlement-clearing.js';
import { settlementFlows } from './settlement-flows.js';
import { settlementPeriod } from './settlement-period.js';

const isPartnerId = (party: string) => party !== operatorParty;

/**
 * The statements of a month that has ended, one per partner and one for the operator, computed from
 * the ledger the first time and kept: computing a period again (a retried run, two at once) returns
 * the statements made the first time and writes nothing.
 */
export async function computeSettlement(dataSource: DataSource, period: unknown, now = new Date()): Promise<SettlementStatement[]> {
  const month = settlementPeriod(period, now);
  await inTransaction(dataSource, async (manager) => {
    // One computation of a period at a time: the second finds the first's statements.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('settlement:' || $1))`, [month.period]);
    if (await manager.exists(SettlementStatement, { where: { period: month.period } })) return;
    const settings = await programSettings(manager);
    const rates = {
      clearingValueMinor: settings.clearingValueMinor ?? settings.pointValueMinor,
      breakageOperatorSharePercent: settings.breakageOperatorSharePercent,
    };
    const partners = await manager.find(Partner, { select: { id: true }, order: { code: 'ASC' } });
    const parties = [operatorParty, ...partners.map((partner) => partner.id)];
    const cleared = clearPeriod(parties, await settlementFlows(manager, month), rates);
    for (const { lines, ...figures } of cleared) {
      const statement = await manager.save(
        manager.create(SettlementStatement, {
          ...figures,
          period: month.period,
          periodStart: month.start,
          periodEnd: month.end,
          partnerId: isPartnerId(figures.party) ? figures.party : null,
          currency: settings.currency,
          ...rates,
        }),
      );
      await manager.insert(
        SettlementLine,
        lines.map((line, position) => ({
          ...line,
          statementId: statement.id,
          position,
          counterpartyPartnerId: line.counterparty && isPartnerId(line.counterparty) ? line.counterparty : null,
        })),
      );
    }
  });
  return dataSource.manager.find(SettlementStatement, { where: { period: month.period }, order: { party: 'ASC' } });
}
