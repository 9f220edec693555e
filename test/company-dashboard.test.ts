import { mkdtempSync } from 'node:fs';
import { latestCodeSent } from './support/sent-codes.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member, ProgramSettings, type Company } from '../entities/index.js';
import { createCompany, fundCompany } from '../loyalty/company-accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { portalRouter } from '../portal/portal-router.js';
import { createCodeMessenger } from '../reports/member-codes-messages.js';
import { createMailer } from '../reports/mailer.js';
import { createSmppSender, type SmsSender } from '../reports/sms-sender.js';
import { startMailSink, type RunningMailSink } from '../wiring/embedded/mail-sink.js';
import { startSmsSink, type RunningSmsSink } from '../wiring/embedded/sms-sink.js';
import { createWebApp } from '../wiring/web-app.js';
import { artifactsDir, launchBrowser } from './support/browser.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** A company's manager gives its points to employees from the member dashboard, in a phone-sized browser. */
let db: TestDatabase;
let p: Awaited<ReturnType<typeof createProgram>>;
let mail: RunningMailSink;
let sms: RunningSmsSink;
let smsSender: SmsSender;
let browser: BrowserContext;
let server: Server;
let base: string;
let acme: Company;
const employees = ['cleo@staff.example', 'dan@staff.example', 'eve@staff.example'];

beforeAll(async () => {
  [db, mail, sms, browser] = await Promise.all([
    createTestDatabase(),
    startMailSink(mkdtempSync(join(tmpdir(), 'tessera-mail-'))),
    startSmsSink(mkdtempSync(join(tmpdir(), 'tessera-sms-'))),
    launchBrowser(),
  ]);
  p = await createProgram(db.dataSource);
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, expiryPolicy: { mode: 'period', months: 12 } });
  const { partner } = await p.partner(100_000);
  // Everyone here has signed in once before: their addresses are proved.
  for (const [reference, email] of [
    ['maria', 'maria@acme.example'],
    ['olaf', 'olaf@elsewhere.example'],
    ...employees.map((email) => [email.split('@')[0]!, email]),
  ] as const) {
    const { member } = await p.member(reference);
    await db.dataSource.manager.update(Member, { id: member.id }, { email, emailVerifiedAt: new Date() });
  }
  acme = await inTransaction(db.dataSource, (m) =>
    createCompany(m, { name: 'Acme BV', managerEmails: ['maria@acme.example'], createdBy: 'operator@tessera.test' }),
  );
  await inTransaction(db.dataSource, (m) =>
    fundCompany(m, p.ledger, {
      companyId: acme.id,
      partnerId: partner.id,
      points: 1_000,
      reason: 'Staff rewards budget',
      reference: 'po-2024-1',
      fundedBy: 'operator@tessera.test',
    }),
  );

  smsSender = createSmppSender(sms.smsUrl, 'Tessera');
  const codes = {
    secret: 'test-code-secret',
    messenger: createCodeMessenger(createMailer(mail.smtpUrl, 'Tessera <no-reply@tessera.test>'), smsSender),
  };
  server = createWebApp({
    health: {},
    api: { dataSource: db.dataSource, ledger: p.ledger, memberCodes: codes },
    portal: portalRouter({ dataSource: db.dataSource, codes, publicUrl: 'http://127.0.0.1', signInRequestsPerWindow: 1_000 }),
  }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  smsSender?.close();
  await Promise.all([mail?.stop(), sms?.stop()]);
  await db?.drop();
});

const latestCode = (address: string) => latestCodeSent({ mail: mail.directory }, address);

async function signIn(address: string): Promise<Page> {
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/member/sign-in`);
  await page.getByLabel('Email or mobile number').fill(address);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/member\/sign-in\/code/);
  await page.getByLabel('Code').fill(await latestCode(address));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/member`);
  return page;
}

const available = async (memberId: string) => p.available((await memberWithAccount(db.dataSource.manager, memberId)).account.id);
const memberIdOf = async (email: string) => (await db.dataSource.manager.findOneByOrFail(Member, { email })).id;
const csvFile = (text: string) => ({ name: 'march-bonus.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });

describe('a company manager', () => {
  it('adds three employees, gives them points by CSV upload and reads what each received', async () => {
    const page = await signIn('maria@acme.example');
    await page.getByRole('navigation').getByRole('link', { name: 'Company' }).click();
    await page.waitForURL(`${base}/member/company/${acme.id}`);
    const main = page.locator('main');
    expect(await main.innerText()).toContain('Acme BV');
    expect(await main.innerText()).toContain('Available\n1,000');

    for (const address of [...employees, 'new.hire@staff.example']) {
      await page.getByLabel('Add an employee by email or mobile number').fill(address);
      await page.getByRole('button', { name: 'Add employee' }).click();
      await expect.poll(() => page.locator('#employees').innerText()).toContain(address);
    }
    const roster = await page.locator('#employees').innerText();
    expect(roster).toMatch(/new\.hire@staff\.example\s+Invited, not joined yet/);
    expect(roster).toContain('they join by signing in at /member with this address');
    for (const address of employees) expect(roster).toMatch(new RegExp(`${address.replace('.', '\\.')}\\s+Joined`));
    await page.screenshot({ path: join(artifactsDir, 'company-employees-phone.png'), fullPage: true });

    // A file with a wrong line gives nothing, and says which line and why.
    await page
      .getByLabel('CSV file')
      .setInputFiles(
        csvFile(
          ['email,points,note', `${employees[0]},200,March bonus`, `${employees[1]},two hundred`, 'olaf@elsewhere.example,50'].join('\n'),
        ),
      );
    await page.getByRole('button', { name: 'Give the points in the file' }).click();
    const problems = page.getByRole('alert');
    await expect.poll(() => problems.innerText()).toContain('Nothing was given');
    expect(await problems.innerText()).toContain('Line 3: points must be a whole number greater than zero');
    expect(await problems.innerText()).toContain('Line 4: olaf@elsewhere.example is not an employee of Acme BV');
    expect(await available(acme.memberId)).toBe(1_000);
    await page.screenshot({ path: join(artifactsDir, 'company-csv-refused-phone.png'), fullPage: true });

    const file = ['email,points,note', `${employees[0]},200,March bonus`, `${employees[1]},150,"Thanks, Dan"`, `${employees[2]},250`].join(
      '\n',
    );
    const formKey = await page.locator('form#give-file input[name=key]').inputValue();
    await page.getByLabel('CSV file').setInputFiles(csvFile(file));
    await page.getByRole('button', { name: 'Give the points in the file' }).click();
    await page.waitForURL(new RegExp(`/member/company/${acme.id}/files/`));
    const done = await main.innerText();
    expect(done).toContain('600 points given to 3 employees');
    expect(done).toContain('Thanks, Dan');
    await page.screenshot({ path: join(artifactsDir, 'company-csv-given-phone.png'), fullPage: true });
    expect(await available(acme.memberId)).toBe(400);
    for (const [i, points] of [200, 150, 250].entries()) expect(await available(await memberIdOf(employees[i]!))).toBe(points);

    // The same form sent again (a double submit, a reload) gives nothing more.
    const form = new FormData();
    form.set('key', formKey);
    form.set('file', new Blob([file], { type: 'text/csv' }), 'march-bonus.csv');
    const cookie = (await browser.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
    const resent = await fetch(`${base}/member/company/${acme.id}/files`, {
      method: 'POST',
      headers: { cookie, origin: base },
      body: form,
      redirect: 'manual',
    });
    expect(resent.status).toBe(303);
    expect(await available(acme.memberId)).toBe(400);

    // One by one too.
    await page.goto(`${base}/member/company/${acme.id}`);
    await page.getByLabel('Give to (email or mobile number)').fill(employees[1]!);
    await page.getByLabel('Points', { exact: true }).fill('25');
    await page.getByLabel('Note').fill('Coffee run');
    await page.getByRole('button', { name: 'Give points' }).click();
    await expect.poll(() => page.getByRole('status').innerText()).toContain(`25 points given to ${employees[1]}`);
    expect(await main.innerText()).toContain('Available\n375');

    await page.getByRole('link', { name: 'What each employee received' }).click();
    await page.waitForURL(new RegExp(`/member/company/${acme.id}/report`));
    const report = await page.locator('table').innerText();
    expect(report).toMatch(new RegExp(`${employees[0]}\\s+200\\s+1`));
    expect(report).toMatch(new RegExp(`${employees[1]}\\s+175\\s+2`));
    expect(report).toMatch(new RegExp(`${employees[2]}\\s+250\\s+1`));
    expect(report).toMatch(/Total\s+625\s+4/);
    await page.screenshot({ path: join(artifactsDir, 'company-report-phone.png'), fullPage: true });
    const csv = await (
      await page.request.get(
        await page
          .getByRole('link', { name: 'Download as CSV' })
          .getAttribute('href')
          .then((h) => `${base}${h}`),
      )
    ).text();
    const rows = csv.trim().split('\r\n');
    expect(rows[0]).toBe('employee,status,points,times');
    expect(rows.slice(1).sort()).toEqual(
      [
        `${employees[0]},joined,200,1`,
        `${employees[1]},joined,175,2`,
        `${employees[2]},joined,250,1`,
        'new.hire@staff.example,invited,0,0',
      ].sort(),
    );
    await page.close();
    expect((await checkLedger(db.dataSource.manager)).violations).toEqual([]);
  });

  it("shows the employee the company's gift with its note", async () => {
    const page = await signIn(employees[1]!);
    const text = await page.locator('main').innerText();
    expect(text).toContain('Gift from Acme BV');
    expect(text).toContain('Thanks, Dan');
    await page.close();
  });

  it('shows nothing of the company to a member who does not manage it', async () => {
    const page = await signIn('olaf@elsewhere.example');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Company' }).count()).toBe(0);
    const opened = await page.goto(`${base}/member/company/${acme.id}`);
    expect(opened!.status()).toBe(404);
    const report = await page.goto(`${base}/member/company/${acme.id}/report.csv`);
    expect(report!.status()).toBe(404);
    expect(await page.locator('main').innerText()).not.toContain('Acme');
    await page.close();
  });
});
