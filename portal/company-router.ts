import { formField } from './form-fields.js';
import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import type { Company } from '../entities/index.js';
import { companyOfManager, managedCompanies, NotAManagerError } from '../loyalty/company-accounts.js';
import { distributionFileText } from '../loyalty/company-csv.js';
import { distributeFile, DistributionFileRefused, distributionBatch, givenOnce, givePoints } from '../loyalty/company-distributions.js';
import { addEmployee, companyEmployees, removeEmployee } from '../loyalty/company-employees.js';
import { distributionReport } from '../loyalty/company-report.js';
import { isUuid } from '../loyalty/ids.js';
import { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { Refusal } from '../loyalty/refusal.js';
import { companiesPage, companyPage, givenFilePage, reportCsv, reportPage, type CompanyPageState } from './company-pages.js';
import { points, withNavigation } from './page-layout.js';
import { answer, memberOf } from './signed-in.js';

/** The largest CSV file a manager may upload (about 10,000 lines of addresses and notes). */
const maxUploadBytes = 512 * 1024;

/** A whole number typed in a form, or NaN: the rules say what is wrong with it. */
const typedPoints = (typed: string) => (/^\s*[0-9]+\s*$/.test(typed) ? Number(typed) : Number.NaN);

/** A multipart form (a file upload) read whole, or why not. */
async function uploadedForm(req: Request): Promise<FormData | 'too_large' | 'unreadable'> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) return 'unreadable';
  if (Number(req.headers['content-length'] ?? 0) > maxUploadBytes) return 'too_large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxUploadBytes) return 'too_large';
    chunks.push(chunk);
  }
  try {
    return await new Response(Buffer.concat(chunks), { headers: { 'content-type': type } }).formData();
  } catch {
    return 'unreadable';
  }
}

/** A day typed as YYYY-MM-DD, at 00:00 UTC, or null. */
function dayOf(typed: unknown): Date | null {
  if (typeof typed !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(typed)) return null;
  const date = new Date(`${typed}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== typed ? null : date;
}

/**
 * Company accounts on the member dashboard, for their managers only (anyone else finds no such
 * page): the points to give, giving to one employee or from a CSV file, the employees, and what
 * each received. Mounted after the sign-in check; it also tells every page's navigation whether
 * the member manages a company.
 */
export function companyRouter({ dataSource, ledger = new Ledger(dataSource) }: { dataSource: DataSource; ledger?: Ledger }): Router {
  const router = Router();
  const manager = dataSource.manager;

  router.use((_req, res, next) => {
    managedCompanies(manager, memberOf(res)).then((companies) => withNavigation({ managesCompany: companies.length > 0 }, next), next);
  });

  /** Runs a company page for its managers; for anyone else the page does not exist (the portal's 404). */
  const forManagers =
    (handler: (req: Request, res: Response, company: Company) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) => {
      companyOfManager(manager, String(req.params.companyId), memberOf(res))
        .then((company) => handler(req, res, company))
        .catch((error: unknown) => next(error instanceof NotAManagerError ? undefined : error));
    };

  async function showCompany(res: Response, company: Company, state: Partial<CompanyPageState> = {}, status = 200) {
    const [summary, employees] = await Promise.all([memberSummary(manager, company.memberId), companyEmployees(manager, company.id)]);
    res
      .status(status)
      .type('html')
      .send(companyPage({ company, summary, employees, keys: { give: randomUUID(), file: randomUUID() }, ...state }));
  }

  router.get(
    '/company',
    answer(async (_req, res) => {
      const companies = await managedCompanies(manager, memberOf(res));
      if (companies.length === 1) return res.redirect(303, `/member/company/${companies[0]!.id}`);
      if (companies.length === 0) return res.redirect(303, '/member');
      res.type('html').send(companiesPage(companies));
    }),
  );

  router.get(
    '/company/:companyId',
    forManagers(async (req, res, company) => {
      const key = typeof req.query.given === 'string' && isUuid(req.query.given) ? req.query.given : null;
      const given = key ? await givenOnce(manager, company.id, key) : null;
      await showCompany(res, company, given ? { notice: `${points(given.points)} points given to ${given.address}` } : {});
    }),
  );

  router.post(
    '/company/:companyId/give',
    forManagers(async (req, res, company) => {
      const values = { address: formField(req.body, 'address'), points: formField(req.body, 'points'), note: formField(req.body, 'note') };
      const key = formField(req.body, 'key');
      try {
        if (!isUuid(key)) throw new Refusal('transfer_refused', 'this form is out of date: fill it in again', 'address');
        await inTransaction(dataSource, (m) =>
          givePoints(m, ledger, {
            companyId: company.id,
            managerId: memberOf(res),
            address: values.address,
            points: typedPoints(values.points),
            note: values.note,
            key,
          }),
        );
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return showCompany(
          res,
          company,
          { give: { field: error.field ?? 'address', reason: error.reason, values } },
          error.kind === 'conflict' ? 409 : 400,
        );
      }
      res.redirect(303, `/member/company/${company.id}?given=${key}`);
    }),
  );

  router.post(
    '/company/:companyId/files',
    forManagers(async (req, res, company) => {
      const form = await uploadedForm(req);
      const refused = (reason: string, status = 400, problems: { line: number; reason: string }[] = []) => {
        if (status === 413) res.set('Connection', 'close');
        return showCompany(res, company, { file: { reason, problems } }, status);
      };
      if (form === 'too_large') return refused(`the file is larger than ${maxUploadBytes / 1024} KB: split it`, 413);
      const file = form === 'unreadable' ? null : form.get('file');
      const key = form === 'unreadable' ? null : form.get('key');
      if (!(file instanceof File) || file.size === 0) return refused('choose a CSV file first');
      if (!isUuid(key)) return refused('this form is out of date: choose the file again');
      try {
        const given = await inTransaction(dataSource, async (m) =>
          distributeFile(m, ledger, {
            companyId: company.id,
            managerId: memberOf(res),
            file: distributionFileText(new Uint8Array(await file.arrayBuffer())),
            key,
          }),
        );
        res.redirect(303, `/member/company/${company.id}/files/${key}${given.replayed ? '?again=1' : ''}`);
      } catch (error) {
        if (error instanceof DistributionFileRefused) return refused('some lines are wrong', 400, error.problems);
        if (error instanceof Refusal) return refused(error.reason, error.kind === 'conflict' ? 409 : 400);
        throw error;
      }
    }),
  );

  router.get(
    '/company/:companyId/files/:key',
    forManagers(async (req, res, company) => {
      const key = String(req.params.key);
      const lines = isUuid(key) ? await distributionBatch(manager, company.id, key) : [];
      if (lines.length === 0) return res.redirect(303, `/member/company/${company.id}`);
      res.type('html').send(givenFilePage(company, lines, req.query.again ? lines[0]!.at : null));
    }),
  );

  router.post(
    '/company/:companyId/employees',
    forManagers(async (req, res, company) => {
      const address = formField(req.body, 'address');
      try {
        await inTransaction(dataSource, (m) => addEmployee(m, { companyId: company.id, managerId: memberOf(res), address }));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return showCompany(res, company, { employee: { field: 'address', reason: error.reason, values: { address } } }, 400);
      }
      res.redirect(303, `/member/company/${company.id}#employees`);
    }),
  );

  router.post(
    '/company/:companyId/employees/:employeeId/remove',
    forManagers(async (req, res, company) => {
      const employeeId = String(req.params.employeeId);
      if (isUuid(employeeId)) {
        await inTransaction(dataSource, (m) => removeEmployee(m, { companyId: company.id, managerId: memberOf(res), employeeId })).catch(
          (error: unknown) => {
            // Removed already (a second click): nothing to say.
            if (!(error instanceof Refusal)) throw error;
          },
        );
      }
      res.redirect(303, `/member/company/${company.id}#employees`);
    }),
  );

  /** The period asked for (both days included), this month so far when none is. */
  function period(req: Request): { from: string; to: string; start: Date; end: Date; error?: string } {
    const today = new Date();
    const monthStart = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
    const asked = { from: dayOf(req.query.from), to: dayOf(req.query.to) };
    const wrong = (req.query.from !== undefined && !asked.from) || (req.query.to !== undefined && !asked.to);
    let start = asked.from ?? monthStart;
    let end = asked.to ?? new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
    const backwards = end < start;
    if (wrong || backwards) {
      start = monthStart;
      end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
    }
    const day = (d: Date) => d.toISOString().slice(0, 10);
    return {
      from: day(start),
      to: day(end),
      start,
      end: new Date(end.getTime() + 86_400_000),
      error: wrong
        ? 'Enter dates as YYYY-MM-DD: this month is shown'
        : backwards
          ? 'The period ends before it starts: this month is shown'
          : undefined,
    };
  }

  router.get(
    '/company/:companyId/report',
    forManagers(async (req, res, company) => {
      const asked = period(req);
      const report = await distributionReport(manager, company.id, { from: asked.start, to: asked.end });
      res.type('html').send(reportPage({ company, ...asked, ...report }));
    }),
  );

  router.get(
    '/company/:companyId/report.csv',
    forManagers(async (req, res, company) => {
      const asked = period(req);
      const report = await distributionReport(manager, company.id, { from: asked.start, to: asked.end });
      res.type('text/csv').attachment(`tessera-company-report-${asked.from}-${asked.to}.csv`).send(reportCsv(report.employees));
    }),
  );

  return router;
}
