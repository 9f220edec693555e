import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bonus, Member, ProgramSettings, type Company } from '../entities/index.js';
import {
  companyOfManager,
  createCompany,
  fundCompany,
  managedCompanies,
  nameManagers,
  NotAManagerError,
} from '../loyalty/company-accounts.js';
import { addEmployee, companyEmployees, removeEmployee } from '../loyalty/company-employees.js';
import { distributeFile, DistributionFileRefused, distributionBatch, givePoints } from '../loyalty/company-distributions.js';
import { distributionReport } from '../loyalty/company-report.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { eraseMember } from '../loyalty/member-erasure.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { completeSignIn, countSignInTry, requestSignInCode } from '../loyalty/member-sign-in.js';
import { reactivateInactiveMembers } from '../loyalty/reactivation.js';
import { Refusal } from '../loyalty/refusal.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram, days } from './support/program.js';

// Companies give their points to their employees: only their managers, within the company's
// balance whoever else gives at the same moment, a file all or nothing, a replay moving nothing more.
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let shop: Awaited<ReturnType<typeof p.partner>>;
let people: Record<'ann' | 'bo' | 'cleo' | 'dan' | 'eve' | 'outsider', Member>;

/** A member who proved their email (they signed in once). */
async function person(name: string): Promise<Member> {
  const { member } = await p.member(`${name}-${Math.random().toString(36).slice(2, 8)}`);
  await db.dataSource.manager.update(Member, { id: member.id }, { emailVerifiedAt: new Date() });
  return db.dataSource.manager.findOneByOrFail(Member, { id: member.id });
}

const tx = <T>(work: (manager: import('typeorm').EntityManager) => Promise<T>) => inTransaction(db.dataSource, work);

async function balanceOf(memberId: string): Promise<number> {
  const { account } = await memberWithAccount(db.dataSource.manager, memberId);
  return p.available(account.id);
}

async function lotsOf(memberId: string) {
  const { account } = await memberWithAccount(db.dataSource.manager, memberId);
  const lots: { points: string; remaining: string; fundingPartnerId: string | null; expiresAt: Date | null }[] = await db.dataSource.query(
    `SELECT points, remaining, "fundingPartnerId", "expiresAt" FROM point_lot WHERE "memberAccountId" = $1 ORDER BY "expiresAt", points`,
    [account.id],
  );
  return lots.map((l) => ({
    points: Number(l.points),
    remaining: Number(l.remaining),
    funder: l.fundingPartnerId,
    expiresAt: l.expiresAt,
  }));
}

/** A company with `points` from the shop, its two managers Ann and Bo, and Cleo, Dan and Eve employed. */
async function company(name: string, points: number): Promise<Company> {
  const made = await tx((m) =>
    createCompany(m, { name, managerEmails: [people.ann.email!, people.bo.email!.toUpperCase()], createdBy: 'operator@tessera.test' }),
  );
  await tx((m) =>
    fundCompany(m, p.ledger, {
      companyId: made.id,
      partnerId: shop.partner.id,
      points,
      reason: 'Budget',
      reference: `budget-${made.id}`,
      fundedBy: 'operator@tessera.test',
    }),
  );
  for (const employee of [people.cleo, people.dan, people.eve]) {
    await tx((m) => addEmployee(m, { companyId: made.id, managerId: people.ann.id, address: employee.email! }));
  }
  return made;
}

const csv = (...lines: string[]) => lines.join('\r\n');

beforeAll(async () => {
  db = await createTestDatabase({ poolSize: 20 });
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  shop = await p.partner(1_000_000);
  people = {
    ann: await person('ann'),
    bo: await person('bo'),
    cleo: await person('cleo'),
    dan: await person('dan'),
    eve: await person('eve'),
    outsider: await person('outsider'),
  };
});
afterAll(() => db?.drop());

describe('setting a company up', () => {
  it('opens the company an account of its own, funded from a partner or the program, and names its managers by the emails they proved', async () => {
    const acme = await company('Acme setup', 1_000);
    expect(await balanceOf(acme.memberId)).toBe(1_000);
    const funded = await tx((m) =>
      fundCompany(m, p.ledger, {
        companyId: acme.id,
        partnerId: null,
        points: 250,
        reason: 'Launch gift',
        reference: 'launch',
        fundedBy: 'operator@tessera.test',
      }),
    );
    expect(funded.replayed).toBe(false);
    // The same reference funds once.
    const again = await tx((m) =>
      fundCompany(m, p.ledger, {
        companyId: acme.id,
        partnerId: null,
        points: 250,
        reason: 'Launch gift',
        reference: 'launch',
        fundedBy: 'operator@tessera.test',
      }),
    );
    expect([again.replayed, again.funding.id]).toEqual([true, funded.funding.id]);
    expect(await balanceOf(acme.memberId)).toBe(1_250);
    const transfer = await db.dataSource.query(`SELECT kind, "references" FROM ledger_transfer WHERE id = $1`, [funded.funding.transferId]);
    expect(transfer[0].references).toMatchObject({ company: acme.id, funding: funded.funding.id, agent: 'operator@tessera.test' });

    expect((await managedCompanies(db.dataSource.manager, people.bo.id)).map((c) => c.name)).toContain('Acme setup');
    const unproved = await p.member(`unproved-${acme.id.slice(0, 6)}`);
    await expect(
      tx((m) => nameManagers(m, acme.id, [people.ann.email!, unproved.member.email!], 'operator@tessera.test')),
    ).rejects.toMatchObject({ field: 'managerEmails', reason: expect.stringContaining(unproved.member.email!) });
    await expect(
      tx((m) => createCompany(m, { name: 'Acme setup', managerEmails: [people.ann.email!], createdBy: 'operator@tessera.test' })),
    ).rejects.toMatchObject({ field: 'name' });
  });
});

describe('who may distribute', () => {
  it('lets only the managers of that company see it or give its points', async () => {
    const acme = await company('Acme rights', 500);
    const other = await tx((m) =>
      createCompany(m, { name: 'Other rights', managerEmails: [people.outsider.email!], createdBy: 'operator@tessera.test' }),
    );
    expect((await companyOfManager(db.dataSource.manager, acme.id, people.ann.id)).id).toBe(acme.id);
    for (const stranger of [people.cleo.id, people.outsider.id]) {
      await expect(companyOfManager(db.dataSource.manager, acme.id, stranger)).rejects.toBeInstanceOf(NotAManagerError);
    }
    await expect(
      tx((m) =>
        givePoints(m, p.ledger, { companyId: acme.id, managerId: people.outsider.id, address: people.cleo.email!, points: 10, key: 'x' }),
      ),
    ).rejects.toBeInstanceOf(NotAManagerError);
    // A manager of another company cannot give this one's points by naming it either.
    await expect(
      tx((m) => addEmployee(m, { companyId: other.id, managerId: people.ann.id, address: people.cleo.email! })),
    ).rejects.toBeInstanceOf(NotAManagerError);
    expect(await balanceOf(acme.memberId)).toBe(500);
  });

  it('gives only to employees of the company who joined, and not more than the company has', async () => {
    const acme = await company('Acme employees', 300);
    const give = (address: string, points: number, key: string) =>
      tx((m) => givePoints(m, p.ledger, { companyId: acme.id, managerId: people.bo.id, address, points, key }));
    await expect(give(people.outsider.email!, 10, 'a')).rejects.toMatchObject({
      field: 'address',
      reason: expect.stringContaining('not an employee'),
    });
    await expect(give(people.cleo.email!, 301, 'b')).rejects.toMatchObject({ code: 'insufficient_funds', field: 'points' });
    await expect(give(people.cleo.email!, 0, 'c')).rejects.toMatchObject({ field: 'points' });
    const given = await give(` ${people.cleo.email!.toUpperCase()} `, 120, 'd');
    expect(given.replayed).toBe(false);
    // The same form sent twice gives once.
    expect((await give(people.cleo.email!, 120, 'd')).replayed).toBe(true);
    expect([await balanceOf(acme.memberId), await balanceOf(people.cleo.id)]).toEqual([180, 120]);

    await tx((m) => removeEmployee(m, { companyId: acme.id, managerId: people.ann.id, employeeId: given.employeeId }));
    await expect(give(people.cleo.email!, 10, 'e')).rejects.toMatchObject({ field: 'address' });
    const listed = await companyEmployees(db.dataSource.manager, acme.id);
    expect(listed.map((e) => e.address).sort()).toEqual([people.dan.email, people.eve.email].sort());
  });

  it('invites an address nobody proved yet: its owner joins by signing in with it, and can then receive points', async () => {
    const acme = await company('Acme invites', 300);
    const address = `new.hire.${acme.id.slice(0, 6)}@example.test`;
    await tx((m) => addEmployee(m, { companyId: acme.id, managerId: people.ann.id, address }));
    const invited = (await companyEmployees(db.dataSource.manager, acme.id)).find((e) => e.address === address)!;
    expect(invited.joined).toBe(false);
    await expect(
      tx((m) => givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address, points: 50, key: 'early' })),
    ).rejects.toMatchObject({ field: 'address', reason: expect.stringContaining('has not joined') });

    // They sign in at /member with that address: the code proves it and enrols them.
    const issued = await tx((m) => requestSignInCode(m, { channel: 'email', address }, 'secret'));
    const codeId = await countSignInTry(db.dataSource.manager, address);
    const { memberId } = await tx((m) => completeSignIn(m, { address, code: issued.code, codeId }, 'secret'));
    expect((await companyEmployees(db.dataSource.manager, acme.id)).find((e) => e.address === address)!.joined).toBe(true);
    await tx((m) => givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address, points: 50, key: 'joined' }));
    expect(await balanceOf(memberId)).toBe(50);
  });
});

describe('points keep what they were', () => {
  it("gives an employee the company's lots, earliest expiry first, each with its funder and expiry", async () => {
    const acme = await company('Acme lots', 1_000);
    // The program's points expire sooner than the shop's: they go first.
    await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { expiryPolicy: { mode: 'period', months: 1 } });
    try {
      await tx((m) =>
        fundCompany(m, p.ledger, {
          companyId: acme.id,
          partnerId: null,
          points: 300,
          reason: 'Program gift',
          reference: 'gift',
          fundedBy: 'operator@tessera.test',
        }),
      );
    } finally {
      await db.dataSource.manager.update(ProgramSettings, { id: 1 }, { expiryPolicy: { mode: 'period', months: 12 } });
    }
    const companyLots = await lotsOf(acme.memberId);
    expect(companyLots.map((l) => [l.points, l.funder])).toEqual([
      [300, null],
      [1_000, shop.partner.id],
    ]);
    await tx((m) =>
      givePoints(m, p.ledger, {
        companyId: acme.id,
        managerId: people.ann.id,
        address: people.dan.email!,
        points: 400,
        note: 'Q1',
        key: 'q1',
      }),
    );
    const danLots = (await lotsOf(people.dan.id)).filter((l) => companyLots.some((c) => c.expiresAt?.getTime() === l.expiresAt?.getTime()));
    expect(danLots).toEqual([
      { points: 300, remaining: 300, funder: null, expiresAt: companyLots[0]!.expiresAt },
      { points: 100, remaining: 100, funder: shop.partner.id, expiresAt: companyLots[1]!.expiresAt },
    ]);
    expect(companyLots[0]!.expiresAt!.getTime()).toBeLessThan(days(40).getTime());
    expect(companyLots[1]!.expiresAt!.getTime()).toBeGreaterThan(days(300).getTime());
  });
});

describe('distributing a file', () => {
  it('names every bad row with its line number and reason, and moves nothing when one is bad', async () => {
    const acme = await company('Acme bad file', 1_000);
    const transfers = await p.transferCount();
    const file = csv(
      'email or phone,points,note',
      `${people.cleo.email},100,Welcome`,
      `${people.dan.email},ten,Typo`,
      `${people.outsider.email},50,`,
      'not an address,20',
      `${people.eve.email},0`,
      `${people.cleo.email},30,Again`,
      `${people.eve.email}`,
      '',
    );
    const refused = await tx((m) => distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, file, key: 'bad' })).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DistributionFileRefused);
    const problems = (refused as DistributionFileRefused).problems;
    expect(problems.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(problems.find((x) => x.line === 3)!.reason).toContain('whole number');
    expect(problems.find((x) => x.line === 4)!.reason).toContain('not an employee');
    expect(problems.find((x) => x.line === 5)!.reason).toContain('email address or a mobile number');
    expect(problems.find((x) => x.line === 6)!.reason).toContain('whole number');
    expect(problems.find((x) => x.line === 7)!.reason).toContain('line 2');
    expect(problems.find((x) => x.line === 8)!.reason).toContain('points');
    expect(await p.transferCount()).toBe(transfers);
    expect(await balanceOf(acme.memberId)).toBe(1_000);
  });

  it('refuses two lines for one person, even by two of their addresses', async () => {
    const acme = await company('Acme one person twice', 1_000);
    await db.dataSource.manager.update(Member, { id: people.cleo.id }, { phone: '+33612340077', phoneVerifiedAt: new Date() });
    await tx((m) => addEmployee(m, { companyId: acme.id, managerId: people.ann.id, address: '+33612340077' }));
    const file = csv(`${people.cleo.email},100`, `${people.dan.email},100`, '+33612340077,100');
    const refused = await tx((m) =>
      distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, file, key: 'twice' }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DistributionFileRefused);
    expect((refused as DistributionFileRefused).problems).toEqual([{ line: 3, reason: expect.stringMatching(/same person as line 1/) }]);
    expect(await balanceOf(acme.memberId)).toBe(1_000);
  });

  it('refuses a file that gives more than the company has, saying how much it has', async () => {
    const acme = await company('Acme too much', 250);
    const file = csv(`${people.cleo.email},100`, `${people.dan.email},100`, `${people.eve.email},100`);
    await expect(
      tx((m) => distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, file, key: 'big' })),
    ).rejects.toMatchObject({ code: 'insufficient_funds', reason: expect.stringContaining('250') });
    expect(await balanceOf(acme.memberId)).toBe(250);
  });

  it('gives each row its own transfer, and a file sent again moves nothing more', async () => {
    const acme = await company('Acme resent', 1_000);
    const file = csv(`${people.cleo.email};100;"Team lunch; thanks"`, `${people.dan.email};200`, `${people.eve.email};300;Q1`);
    const first = await tx((m) => distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.bo.id, file, key: 'upload-1' }));
    expect(first.replayed).toBe(false);
    expect(first.lines.map((l) => [l.line, l.address, l.points, l.note])).toEqual([
      [1, people.cleo.email, 100, 'Team lunch; thanks'],
      [2, people.dan.email, 200, null],
      [3, people.eve.email, 300, 'Q1'],
    ]);
    expect(new Set(first.lines.map((l) => l.transferId)).size).toBe(3);
    const transfers = await p.transferCount();
    const again = await tx((m) => distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.bo.id, file, key: 'upload-1' }));
    expect(again.replayed).toBe(true);
    expect(again.lines.map((l) => l.transferId)).toEqual(first.lines.map((l) => l.transferId));
    expect(await p.transferCount()).toBe(transfers);
    expect(await balanceOf(acme.memberId)).toBe(400);
    // Another file sent as the same upload is refused, not mixed in.
    await expect(
      tx((m) =>
        distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.bo.id, file: csv(`${people.cleo.email},5`), key: 'upload-1' }),
      ),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect((await distributionBatch(db.dataSource.manager, acme.id, 'upload-1')).map((l) => l.points)).toEqual([100, 200, 300]);
    expect(await p.transferCount()).toBe(transfers);
  });

  it('never exceeds the balance when two managers distribute at once', async () => {
    const acme = await company('Acme race', 1_000);
    const file = csv(`${people.cleo.email},200`, `${people.dan.email},200`, `${people.eve.email},200`);
    const uploads = await Promise.allSettled(
      [people.ann, people.bo].map((boss, i) =>
        tx((m) => distributeFile(m, p.ledger, { companyId: acme.id, managerId: boss.id, file, key: `race-${i}` })),
      ),
    );
    expect(uploads.map((u) => u.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = uploads.find((u) => u.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(Refusal);
    expect(refused.reason.code).toBe('insufficient_funds');
    expect(await balanceOf(acme.memberId)).toBe(400);

    // Twenty gifts of 30 from both managers at once, on the 400 left: thirteen fit.
    const gifts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        tx((m) =>
          givePoints(m, p.ledger, {
            companyId: acme.id,
            managerId: i % 2 ? people.ann.id : people.bo.id,
            address: [people.cleo, people.dan, people.eve][i % 3]!.email!,
            points: 30,
            key: `gift-${i}`,
          }),
        ),
      ),
    );
    expect(gifts.filter((g) => g.status === 'fulfilled')).toHaveLength(13);
    for (const g of gifts) if (g.status === 'rejected') expect(g.reason.code).toBe('insufficient_funds');
    expect(await balanceOf(acme.memberId)).toBe(10);
  });
});

describe('the report', () => {
  it('says what each employee received in a period, net of what was taken back', async () => {
    const acme = await company('Acme report', 2_000);
    const give = (address: string, points: number, key: string) =>
      tx((m) => givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address, points, key }));
    const old = await give(people.cleo.email!, 500, 'last-month');
    await db.dataSource.query(`UPDATE ledger_transfer SET "createdAt" = now() - interval '40 days' WHERE id = $1`, [old.transferId]);
    // Its key's claim moves with it: a replay finds the transfer by id and time.
    await db.dataSource.query(
      `UPDATE ledger_idempotency i SET "createdAt" = t."createdAt" FROM ledger_transfer t WHERE t.id = i."transferId" AND t.id = $1`,
      [old.transferId],
    );
    await give(people.cleo.email!, 100, 'now-1');
    await give(people.cleo.email!, 50, 'now-2');
    const toDan = await give(people.dan.email!, 200, 'now-3');
    await p.ledger.reverse({ source: 'back-office', key: `reverse:${toDan.transferId}`, transferId: toDan.transferId, amount: 80 });

    const report = await distributionReport(db.dataSource.manager, acme.id, { from: days(-7), to: days(1) });
    expect(report.employees.map((e) => [e.address, e.points, e.times])).toEqual(
      [
        [people.cleo.email, 150, 2],
        [people.dan.email, 120, 1],
        [people.eve.email, 0, 0],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(report.total).toBe(270);
    const earlier = await distributionReport(db.dataSource.manager, acme.id, { from: days(-60), to: days(-30) });
    expect(earlier.employees.find((e) => e.address === people.cleo.email)!.points).toBe(500);
    expect(earlier.total).toBe(500);
  });
});

describe('an erased employee', () => {
  it("leaves no address of theirs in any company's employees, receives nothing more, and what they received stays in the report", async () => {
    const acme = await company('Acme erasure', 500);
    const fay = await person('fay');
    const phone = `+3161${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
    await db.dataSource.manager.update(Member, { id: fay.id }, { phone, phoneVerifiedAt: new Date() });
    await tx((m) => addEmployee(m, { companyId: acme.id, managerId: people.ann.id, address: fay.email! }));
    await tx((m) =>
      givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address: fay.email!, points: 40, key: 'fay-1' }),
    );
    // Another company invited her by phone, before she proved it there.
    const other = await company('Acme erasure two', 100);
    await tx((m) => addEmployee(m, { companyId: other.id, managerId: people.ann.id, address: phone }));

    await tx((m) => eraseMember(m, p.ledger, { memberId: fay.id, requestedBy: 'member', reason: 'asked from their dashboard' }));

    const kept: { address: string }[] = await db.dataSource.query(
      `SELECT address FROM company_employee WHERE address = ANY($1::text[]) OR "memberId" = $2 AND "removedAt" IS NULL`,
      [[fay.email, phone], fay.id],
    );
    expect(kept).toEqual([]);
    await expect(
      tx((m) => givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address: fay.email!, points: 10, key: 'fay-2' })),
    ).rejects.toMatchObject({ field: 'address' });
    expect(await balanceOf(acme.memberId)).toBe(460);
    const report = await distributionReport(db.dataSource.manager, acme.id, { from: days(-1), to: days(1) });
    expect(report.total).toBe(40);
    expect(report.employees.find((e) => e.points === 40)).toMatchObject({ status: 'removed', address: expect.stringMatching(/^erased-/) });
  });
});

describe('an employee erased while points are being given', () => {
  it('gives nothing to an account nobody reaches: the gift and the file wait for the erasure, then are refused', async () => {
    const acme = await company('Acme erasure race', 500);
    const gus = await person('gus');
    await tx((m) => addEmployee(m, { companyId: acme.id, managerId: people.ann.id, address: gus.email! }));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let erasing!: () => void;
    const erasureHeld = new Promise<void>((resolve) => (erasing = resolve));
    const erasure = tx(async (m) => {
      await eraseMember(m, p.ledger, { memberId: gus.id, requestedBy: 'member', reason: 'asked from their dashboard' });
      erasing();
      await gate;
    });
    await erasureHeld;
    const gift = tx((m) =>
      givePoints(m, p.ledger, { companyId: acme.id, managerId: people.ann.id, address: gus.email!, points: 10, key: 'gus-1' }),
    ).catch((error: unknown) => error);
    const file = tx((m) =>
      distributeFile(m, p.ledger, { companyId: acme.id, managerId: people.bo.id, file: csv(`${gus.email},20`), key: 'gus-file' }),
    ).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    release();
    await erasure;
    expect(await gift).toBeInstanceOf(Refusal);
    expect(await file).toBeInstanceOf(Refusal);
    expect(await balanceOf(acme.memberId)).toBe(500);
  });
});

describe('the ledger', () => {
  it("gives a company's own account no reactivation bonus: it is not a person", async () => {
    const acme = await company('Acme dormant', 100);
    await db.dataSource.manager.insert(Bonus, { name: 'We missed you', moment: 'reactivation', points: 100, inactivityDays: 90 });
    const run = await reactivateInactiveMembers(db.dataSource, p.ledger, days(200));
    expect(run.given.length).toBeGreaterThan(0);
    expect(run.given.map((g) => g.memberId)).not.toContain(acme.memberId);
    expect(await balanceOf(acme.memberId)).toBe(100);
  });

  it('holds every invariant after all of it', async () => {
    const report = await checkLedger(db.dataSource.manager);
    expect(report.violations).toEqual([]);
  });
});
