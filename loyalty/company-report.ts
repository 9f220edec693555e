import type { EntityManager } from 'typeorm';
import { Company, LedgerAccount, pointsUnit } from '../entities/index.js';
import { companyEmployees } from './company-employees.js';

/** What one employee received in a period. */
export interface ReportLine {
  employeeId: string;
  address: string;
  /** invited: nobody proved the address yet; removed: no longer an employee, but received in the period. */
  status: 'joined' | 'invited' | 'removed';
  /** Given, less what was taken back since (a reversal by customer care). */
  points: number;
  /** How many distributions gave them points. */
  times: number;
}

/**
 * What each employee received from the company between `from` (included) and `to` (excluded):
 * every current employee, and former ones who received something then.
 */
export async function distributionReport(
  manager: EntityManager,
  companyId: string,
  period: { from: Date; to: Date },
): Promise<{ employees: ReportLine[]; total: number; times: number }> {
  const company = await manager.findOneByOrFail(Company, { id: companyId });
  const account = await manager.findOneByOrFail(LedgerAccount, { memberId: company.memberId, unit: pointsUnit });
  const rows: { id: string; address: string; points: string; times: number }[] = await manager.query(
    `WITH given AS (
       SELECT t."references"->>'employee' AS employee,
              t.amount - COALESCE((SELECT SUM(r.amount) FROM ledger_transfer r WHERE r."reversesTransferId" = t.id), 0) AS net
         FROM ledger_transfer t
        WHERE t."debitAccountId" = $1 AND t.kind = 'transfer' AND t."createdAt" >= $2 AND t."createdAt" < $3
     )
     SELECT e.id, e.address, COALESCE(SUM(g.net), 0) AS points, COUNT(g.employee)::int AS times
       FROM company_employee e LEFT JOIN given g ON g.employee = e.id::text
      WHERE e."companyId" = $4
      GROUP BY e.id
     HAVING bool_and(e."removedAt" IS NULL) OR COUNT(g.employee) > 0
      ORDER BY e.address`,
    [account.id, period.from, period.to, company.id],
  );
  const current = new Map((await companyEmployees(manager, company.id)).map((e) => [e.id, e]));
  const employees = rows.map((row): ReportLine => {
    const employee = current.get(row.id);
    return {
      employeeId: row.id,
      address: row.address,
      status: !employee ? 'removed' : employee.joined ? 'joined' : 'invited',
      points: Number(row.points),
      times: row.times,
    };
  });
  return {
    employees,
    total: employees.reduce((sum, e) => sum + e.points, 0),
    times: employees.reduce((sum, e) => sum + e.times, 0),
  };
}
