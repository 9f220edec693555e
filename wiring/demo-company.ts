import type { DataSource } from 'typeorm';
import { Member } from '../entities/index.js';
import { createCompany, fundCompany } from '../loyalty/company-accounts.js';
import { distributeFile } from '../loyalty/company-distributions.js';
import { addEmployee } from '../loyalty/company-employees.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';

/** The demo's company: its manager signs in at /member with their email (the code shows in the inbox page). */
export const demoCompany = { name: 'Acme Logistics', manager: 'demo-001', employees: ['demo-002', 'demo-003', 'demo-004'] };

/**
 * A company of the demo coalition, funded by the program, whose manager (a demo member) has given
 * some of its points to three colleagues.
 */
export async function seedDemoCompany(dataSource: DataSource, ledger: Ledger): Promise<void> {
  const emailOf = async (reference: string) => (await dataSource.manager.findOneByOrFail(Member, { externalId: reference })).email!;
  const manager = await dataSource.manager.findOneByOrFail(Member, { externalId: demoCompany.manager });
  const employees = await Promise.all(demoCompany.employees.map(emailOf));
  await inTransaction(dataSource, async (m) => {
    const company = await createCompany(m, { name: demoCompany.name, managerEmails: [manager.email!], createdBy: 'operator@tessera.demo' });
    await fundCompany(m, ledger, {
      companyId: company.id,
      partnerId: null,
      points: 5_000,
      reason: 'Staff rewards budget',
      reference: 'demo-contract',
      fundedBy: 'operator@tessera.demo',
    });
    for (const address of employees) await addEmployee(m, { companyId: company.id, managerId: manager.id, address });
    await distributeFile(m, ledger, {
      companyId: company.id,
      managerId: manager.id,
      file: ['email,points,note', ...employees.map((address, i) => `${address},${100 * (i + 1)},Thank you for a great quarter`)].join('\n'),
      key: 'demo-quarter',
    });
  });
}
