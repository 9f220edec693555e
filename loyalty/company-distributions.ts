import type { EntityManager } from 'typeorm';
import type { Company, CompanyEmployee } from '../entities/index.js';
import { companyAccount, companyOfManager } from './company-accounts.js';
import { maxNoteLength, readDistributionFile, type LineProblem } from './company-csv.js';
import { employeeAt, notAnEmployee, notJoinedYet, receiverOf } from './company-employees.js';
import { balanceOf } from './ledger/accounts.js';
import { IdempotencyConflictError, refuseShortfall } from './ledger/errors.js';
import type { Ledger } from './ledger/ledger.js';
import type { LegRequest } from './ledger/request.js';
import { lockLiveMembers, MemberErasedError, type ResolvedMember } from './member-identity.js';
import { signInAddress } from './member-sign-in.js';
import { Refusal } from './refusal.js';

export class DistributionRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('transfer_refused', reason, field);
  }
}

/** A file with wrong lines: each is named with its reason, and nothing was given. */
export class DistributionFileRefused extends Refusal {
  constructor(readonly problems: LineProblem[]) {
    super(
      'transfer_refused',
      `${problems.length === 1 ? 'one line' : `${problems.length} lines`} of the file ${problems.length === 1 ? 'is' : 'are'} wrong: nothing was given`,
      'file',
      { problems },
    );
  }
}

/** Points one distribution gave an employee. */
export interface GivenLine {
  /** The line of the file; 0 for points given one by one. */
  line: number;
  employeeId: string;
  address: string;
  points: number;
  note: string | null;
  transferId: string;
  at: Date;
}

/** Each company's distributions are keyed apart from everyone else's. */
const sourceOf = (company: Company) => `company:${company.id}`;
const fileKeyPrefix = (key: string) => `file:${key}:`;

interface Receiving {
  employee: CompanyEmployee;
  receiver: ResolvedMember;
}

/**
 * One distribution, one transfer: member to member, so the employee's points keep their funder
 * and expiry. The note is its explanation, which the employee reads in their history.
 */
function distribution(
  company: Company,
  from: ResolvedMember,
  to: Receiving,
  given: { points: number; note: string | null; managerId: string },
): LegRequest {
  return {
    debitAccountId: from.account.id,
    creditAccountId: to.receiver.account.id,
    amount: given.points,
    kind: 'transfer',
    references: {
      company: company.id,
      employee: to.employee.id,
      manager: given.managerId,
      from: from.member.externalId,
      to: to.receiver.member.externalId,
      ...(given.note ? { note: given.note } : {}),
    },
    explanation: given.note ? [{ rule: 'company', points: given.points, reason: given.note }] : [],
  };
}

/** The employee at the address, who can receive, or why not (in the manager's words). */
async function receiving(manager: EntityManager, company: Company, address: string): Promise<Receiving | string> {
  const employee = await employeeAt(manager, company.id, address);
  if (!employee) return notAnEmployee(address, company.name);
  const receiver = await receiverOf(manager, employee);
  return receiver ? { employee, receiver } : notJoinedYet(address);
}

/** Lines that reach one person by two of their addresses (two employees of the company who are one member). */
function samePersonTwice(receivers: Map<number, Receiving>): LineProblem[] {
  const firstLine = new Map<string, number>();
  const problems: LineProblem[] = [];
  for (const [line, { receiver }] of [...receivers].sort(([a], [b]) => a - b)) {
    const first = firstLine.get(receiver.member.id);
    if (first === undefined) firstLine.set(receiver.member.id, line);
    else
      problems.push({
        line,
        reason: `this is the same person as line ${first}, by another of their addresses: give each employee one line`,
      });
  }
  return problems;
}

const gone = (address: string) => `${address.trim()} is no longer a member of the program`;

/**
 * Locks the company's account and the receivers' live (see lockLiveMembers): an employee merged
 * meanwhile receives as whom they became; one erased meanwhile is refused, nothing landing on an
 * account nobody reaches.
 */
async function lockLiveReceivers(
  manager: EntityManager,
  from: ResolvedMember,
  receivers: Receiving[],
  refusal: () => Refusal,
): Promise<Receiving[]> {
  try {
    const [, ...live] = await lockLiveMembers(manager, [from.member.id, ...receivers.map((r) => r.receiver.member.id)]);
    return receivers.map((r, i) => ({ employee: r.employee, receiver: live[i]! }));
  } catch (error) {
    throw error instanceof MemberErasedError ? refusal() : error;
  }
}

const validPoints = (points: number) => Number.isSafeInteger(points) && points > 0;

/**
 * A manager gives points to one employee. `key` identifies the manager's request (the form they
 * sent): sent again, it gives nothing more.
 */
export async function givePoints(
  manager: EntityManager,
  ledger: Ledger,
  request: { companyId: string; managerId: string; address: string; points: number; note?: string | null; key: string },
): Promise<{ transferId: string; employeeId: string; replayed: boolean }> {
  const company = await companyOfManager(manager, request.companyId, request.managerId);
  const destination = signInAddress(request.address);
  if (!destination) {
    throw new DistributionRefusedError('address', 'enter the email address or mobile number of an employee (+ and the country code)');
  }
  if (!validPoints(request.points)) throw new DistributionRefusedError('points', 'must be a whole number greater than zero');
  const note = request.note?.trim() || null;
  if (note && note.length > maxNoteLength) throw new DistributionRefusedError('note', `must be at most ${maxNoteLength} characters`);
  const found = await receiving(manager, company, destination.address);
  if (typeof found === 'string') throw new DistributionRefusedError('address', found);
  const from = await companyAccount(manager, company);
  const [to] = (await lockLiveReceivers(manager, from, [found], () => new DistributionRefusedError('address', gone(request.address)))) as [
    Receiving,
  ];
  const written = await refuseShortfall(
    from.account.id,
    () =>
      ledger.transfer(
        {
          source: sourceOf(company),
          key: `give:${request.key}`,
          legs: [distribution(company, from, to, { points: request.points, note, managerId: request.managerId })],
        },
        manager,
      ),
    'points',
    (short) => `${company.name} has ${short.available} points available`,
  ).catch((error: unknown) => {
    // The form of a gift made already, changed (the browser's Back): its key gives nothing else.
    throw error instanceof IdempotencyConflictError
      ? new Refusal('idempotency_conflict', 'this form was already used to give points: fill it in again', 'address')
      : error;
  });
  return { transferId: written.transfers[0]!.id, employeeId: to.employee.id, replayed: written.replayed };
}

/**
 * A manager gives points from a CSV file (see readDistributionFile), all or nothing: every line is
 * checked before anything moves, and the whole file is one database transaction, whose first
 * writes lock the company's account and the employees' — a second file given at the same time
 * waits, then finds the balance this one left. Each line is one transfer keyed by `key` (the
 * upload) and its line: the same upload sent again gives nothing more.
 */
export async function distributeFile(
  manager: EntityManager,
  ledger: Ledger,
  request: { companyId: string; managerId: string; file: string; key: string },
): Promise<{ lines: GivenLine[]; replayed: boolean }> {
  const company = await companyOfManager(manager, request.companyId, request.managerId);
  const read = readDistributionFile(request.file);
  if (read.lines.length === 0 && read.problems.length === 0) {
    throw new DistributionRefusedError('file', 'the file has no lines: one per employee, with their email or mobile number and the points');
  }
  const problems = [...read.problems];
  const receivers = new Map<number, Receiving>();
  // In the order of the employees' ids: two files resolving the same employees lock them alike.
  const byEmployee = [];
  for (const line of read.lines) byEmployee.push({ line, employee: await employeeAt(manager, company.id, line.address) });
  byEmployee.sort((a, b) => (a.employee?.id ?? '').localeCompare(b.employee?.id ?? ''));
  for (const { line, employee } of byEmployee) {
    if (!employee) {
      problems.push({ line: line.line, reason: notAnEmployee(line.address, company.name) });
      continue;
    }
    const receiver = await receiverOf(manager, employee);
    if (receiver) receivers.set(line.line, { employee, receiver });
    else problems.push({ line: line.line, reason: notJoinedYet(line.address) });
  }
  problems.push(...samePersonTwice(receivers));
  if (problems.length > 0) throw new DistributionFileRefused(problems.sort((a, b) => a.line - b.line));

  const from = await companyAccount(manager, company);
  const lines = [...receivers.keys()];
  const live = await lockLiveReceivers(
    manager,
    from,
    [...receivers.values()],
    () =>
      new DistributionRefusedError('file', 'an employee of the file was erased meanwhile: nothing was given; open the company page again'),
  );
  lines.forEach((line, i) => receivers.set(line, live[i]!));
  const [{ written }] = await manager.query(
    `SELECT count(*)::int AS written FROM ledger_transfer WHERE "idempotencySource" = $1 AND left("idempotencyKey", length($2)) = $2`,
    [sourceOf(company), fileKeyPrefix(request.key)],
  );
  const conflict = () =>
    new Refusal('idempotency_conflict', 'this upload was already used for another file: open the company page again to upload it', 'file');
  if (written > 0 && written !== read.lines.length) throw conflict();
  if (written === 0) {
    const total = read.lines.reduce((sum, line) => sum + line.points, 0);
    const { available } = await balanceOf(manager, from.account.id);
    if (total > available) {
      throw new Refusal('insufficient_funds', `the file gives ${total} points; ${company.name} has ${available} available`, 'file', {
        available,
        requested: total,
      });
    }
  }
  const given: GivenLine[] = [];
  for (const line of read.lines) {
    const to = receivers.get(line.line)!;
    const result = await ledger
      .transfer(
        {
          source: sourceOf(company),
          key: `${fileKeyPrefix(request.key)}${line.line}`,
          legs: [distribution(company, from, to, { points: line.points, note: line.note, managerId: request.managerId })],
        },
        manager,
      )
      .catch((error: unknown) => {
        throw error instanceof IdempotencyConflictError ? conflict() : error;
      });
    const transfer = result.transfers[0]!;
    given.push({
      line: line.line,
      employeeId: to.employee.id,
      address: line.address,
      points: line.points,
      note: line.note,
      transferId: transfer.id,
      at: transfer.createdAt,
    });
  }
  return { lines: given, replayed: written > 0 };
}

/** What one upload gave, line by line. */
export function distributionBatch(manager: EntityManager, companyId: string, key: string): Promise<GivenLine[]> {
  return givenUnder(manager, companyId, fileKeyPrefix(key));
}

/** What points given one by one gave, by the key of the manager's request; null if nothing was. */
export async function givenOnce(manager: EntityManager, companyId: string, key: string): Promise<GivenLine | null> {
  const [given] = await givenUnder(manager, companyId, `give:${key}`);
  return given ?? null;
}

/** The company's distributions whose key starts with `prefix`, in the order they were given. */
async function givenUnder(manager: EntityManager, companyId: string, prefix: string): Promise<GivenLine[]> {
  const rows: { id: string; key: string; amount: string; createdAt: Date; employeeId: string; address: string; note: string | null }[] =
    await manager.query(
      `SELECT t.id, t."idempotencyKey" AS key, t.amount, t."createdAt", e.id AS "employeeId", e.address, t."references"->>'note' AS note
         FROM ledger_transfer t JOIN company_employee e ON e.id::text = t."references"->>'employee'
        WHERE t."idempotencySource" = $1 AND left(t."idempotencyKey", length($2)) = $2
        ORDER BY t.seq`,
      [`company:${companyId}`, prefix],
    );
  return rows.map((row) => ({
    line: row.key.startsWith('file:') ? Number(row.key.slice(prefix.length)) : 0,
    employeeId: row.employeeId,
    address: row.address,
    points: Number(row.amount),
    note: row.note,
    transferId: row.id,
    at: row.createdAt,
  }));
}
