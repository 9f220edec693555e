import { IsNull, type EntityManager } from 'typeorm';
import { CompanyEmployee, Member, type MessageChannel } from '../entities/index.js';
import { companyOfManager, CompanyRefusedError } from './company-accounts.js';
import { memberWithAccount, type ResolvedMember } from './member-identity.js';
import { signInAddress } from './member-sign-in.js';

/** An employee as their managers see them: the address they were added by, and whether its owner has joined. */
export interface EmployeeView {
  id: string;
  address: string;
  channel: MessageChannel;
  /** Someone proved the address (by signing in with it): they can receive points. */
  joined: boolean;
}

/** The live member who proved the employee's address, if anyone has. */
function ownerOf(manager: EntityManager, employee: { channel: MessageChannel; address: string }): Promise<Member | null> {
  const column = employee.channel === 'email' ? 'email' : 'phone';
  return manager
    .createQueryBuilder(Member, 'm')
    .where(`m.${column} = :address AND m."${column}VerifiedAt" IS NOT NULL AND m."mergedIntoId" IS NULL`, { address: employee.address })
    .getOne();
}

/**
 * Adds an employee by the email or mobile number they are reached at. If nobody proved it yet
 * the employee is invited: whoever signs in at /member with that address proves it (joining
 * the program if they had not), and from then on receives the company's points.
 */
export async function addEmployee(
  manager: EntityManager,
  request: { companyId: string; managerId: string; address: string },
): Promise<CompanyEmployee> {
  const company = await companyOfManager(manager, request.companyId, request.managerId);
  const destination = signInAddress(request.address);
  if (!destination) {
    throw new CompanyRefusedError('address', 'enter an email address, or a mobile number starting with + and the country code');
  }
  const owner = await ownerOf(manager, destination);
  await manager
    .createQueryBuilder()
    .insert()
    .into(CompanyEmployee)
    .values({ companyId: company.id, ...destination, memberId: owner?.id ?? null, addedBy: request.managerId })
    .orIgnore()
    .execute();
  // Added again after being removed: they are an employee again, with what they received before.
  await manager.update(CompanyEmployee, { companyId: company.id, address: destination.address }, { removedAt: null });
  return manager.findOneByOrFail(CompanyEmployee, { companyId: company.id, address: destination.address });
}

/** Removes an employee: they receive nothing more; what they received stays in the reports. */
export async function removeEmployee(
  manager: EntityManager,
  request: { companyId: string; managerId: string; employeeId: string },
): Promise<void> {
  const company = await companyOfManager(manager, request.companyId, request.managerId);
  const removed = await manager.update(
    CompanyEmployee,
    { id: request.employeeId, companyId: company.id, removedAt: IsNull() },
    { removedAt: new Date() },
  );
  if (removed.affected === 0) throw new CompanyRefusedError('employee', 'is not an employee of this company');
}

/** The company's employees, by address. */
export async function companyEmployees(manager: EntityManager, companyId: string): Promise<EmployeeView[]> {
  const rows: { id: string; address: string; channel: MessageChannel; joined: boolean }[] = await manager.query(
    `SELECT e.id, e.address, e.channel,
            e."memberId" IS NOT NULL OR EXISTS (
              SELECT 1 FROM member m WHERE m."mergedIntoId" IS NULL
                 AND CASE e.channel WHEN 'email' THEN m.email = e.address AND m."emailVerifiedAt" IS NOT NULL
                                    ELSE m.phone = e.address AND m."phoneVerifiedAt" IS NOT NULL END) AS joined
       FROM company_employee e WHERE e."companyId" = $1 AND e."removedAt" IS NULL ORDER BY e.address`,
    [companyId],
  );
  return rows;
}

/** A current employee by the address a manager typed, or null. */
export function employeeAt(manager: EntityManager, companyId: string, address: string): Promise<CompanyEmployee | null> {
  return manager.findOneBy(CompanyEmployee, { companyId, address, removedAt: IsNull() });
}

/**
 * The member who receives an employee's points, or null while nobody has proved their address.
 * The first time someone has, they become the employee for good (kept even if they change their
 * address later; a merge is followed).
 */
export async function receiverOf(manager: EntityManager, employee: CompanyEmployee): Promise<ResolvedMember | null> {
  if (employee.memberId) return memberWithAccount(manager, employee.memberId);
  const owner = await ownerOf(manager, employee);
  if (!owner) return null;
  await manager.update(CompanyEmployee, { id: employee.id }, { memberId: owner.id });
  employee.memberId = owner.id;
  return memberWithAccount(manager, owner.id);
}

/** How a manager reads why an address cannot receive. */
export const notAnEmployee = (address: string, companyName: string) =>
  `${address} is not an employee of ${companyName}: add them to the employees first`;
export const notJoinedYet = (address: string) =>
  `${address} has not joined yet: they join by signing in at /member with this address, then they can receive points`;
