import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditEntry, Company, CompanyFunding, Partner } from '../entities/index.js';
import { createCompany, fundCompany, fundingProblems, managerEmails, nameManagers, renameCompany } from '../loyalty/company-accounts.js';
import { companyEmployees } from '../loyalty/company-employees.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { Refusal } from '../loyalty/refusal.js';
import { allowed } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const number = new Intl.NumberFormat('en');
const showOnly = { list: false, filter: false, edit: false, show: true };
const editOnly = { list: false, filter: false, edit: true, show: false };
const closed = { isAccessible: () => false };

/** Field errors under the form's fields, as AdminJS shows them. */
function refusedFields(problems: Record<string, string>): never {
  throw new ValidationError(Object.fromEntries(Object.entries(problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/** A refusal of the program, under the field it names. */
function refused(error: unknown, fallbackField: string): never {
  if (!(error instanceof Refusal)) throw error;
  refusedFields({ [error.field ?? fallbackField]: error.reason });
}

/** Emails typed one per line, or separated by commas or spaces. */
const emailsIn = (typed: unknown) =>
  String(typed ?? '')
    .split(/[\s,;]+/)
    .filter(Boolean);

/** Written in the transaction of the change itself: a change is never without its audit entry. */
function audit(
  manager: EntityManager,
  context: ActionContext,
  entry: Pick<AuditEntry, 'action' | 'resource' | 'recordId' | 'before' | 'after'>,
) {
  const user = staff(context);
  return manager.insert(AuditEntry, { staffUserId: user?.id ?? null, staffEmail: user?.email ?? 'unknown', ...entry });
}

/**
 * Companies (B2B) in the back office: operator staff set one up with its managers, named by the
 * emails they sign in with, rename it or change its managers; its page shows its points and
 * employees. Points come in through Company funding.
 */
export function companyResource(dataSource: DataSource): ResourceWithOptions {
  return {
    resource: Company,
    options: {
      navigation: navigation.members,
      listProperties: ['name', 'createdBy', 'createdAt'],
      filterProperties: ['name', 'createdAt'],
      showProperties: ['name', 'managers', 'balance', 'employees', 'memberId', 'createdBy', 'createdAt'],
      editProperties: ['name', 'managerEmails'],
      properties: {
        managerEmails: {
          type: 'textarea',
          isVisible: editOnly,
          description: 'The emails of the members who give its points, one per line. Each must have signed in once at /member with it.',
        },
        managers: { type: 'string', isVisible: showOnly },
        balance: { type: 'string', isVisible: showOnly },
        employees: { type: 'textarea', isVisible: showOnly },
        memberId: { description: "The company's own member record, whose account holds its points (its lots and history)" },
      },
      sort: { sortBy: 'createdAt', direction: 'desc' },
      actions: {
        list: { isAccessible: readable('Company') },
        search: { isAccessible: readable('Company') },
        delete: closed,
        bulkDelete: closed,
        new: {
          isAccessible: allowed('Company', 'new'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {} as ActionResponse;
            const payload = request.payload ?? {};
            const by = staff(context)!.email;
            const company = await inTransaction(dataSource, async (m) => {
              const made = await createCompany(m, {
                name: String(payload.name ?? ''),
                managerEmails: emailsIn(payload.managerEmails),
                createdBy: by,
              });
              await audit(m, context, {
                action: 'new',
                resource: 'Company',
                recordId: made.id,
                before: null,
                after: { name: made.name, managerEmails: await managerEmails(m, made.id) },
              });
              return made;
            }).catch((error: unknown) => refused(error, 'name'));
            const record = await context.resource.findOne(company.id, context);
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'Company', recordId: company.id, actionName: 'show' }),
              notice: { message: `${company.name} is set up: fund it under Company funding`, type: 'success' },
            };
          },
        },
        edit: {
          isAccessible: allowed('Company', 'edit'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record!.params.id);
            if (request.method !== 'post') {
              const shown = context.record!.toJSON(context.currentAdmin);
              shown.params.managerEmails = (await managerEmails(dataSource.manager, id)).join('\n');
              return { record: shown };
            }
            const payload = request.payload ?? {};
            const by = staff(context)!.email;
            const company = await inTransaction(dataSource, async (m) => {
              const before = await m.findOneByOrFail(Company, { id });
              const was = { name: before.name, managerEmails: await managerEmails(m, id) };
              const renamed = await renameCompany(m, before, String(payload.name ?? ''));
              await nameManagers(m, id, emailsIn(payload.managerEmails), by);
              await audit(m, context, {
                action: 'edit',
                resource: 'Company',
                recordId: id,
                before: was,
                after: { name: renamed.name, managerEmails: await managerEmails(m, id) },
              });
              return renamed;
            }).catch((error: unknown) => refused(error, 'name'));
            const record = await context.resource.findOne(company.id, context);
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'Company', recordId: company.id, actionName: 'show' }),
              notice: { message: `${company.name} saved`, type: 'success' },
            };
          },
        },
        show: {
          isAccessible: readable('Company'),
          after: async (response: ActionResponse, _request: unknown, context: ActionContext) => {
            const id = String(context.record?.params.id ?? '');
            const company = id ? await dataSource.manager.findOneBy(Company, { id }) : null;
            if (!company || !response.record) return response;
            const [emails, summary, employees] = await Promise.all([
              managerEmails(dataSource.manager, company.id),
              memberSummary(dataSource.manager, company.memberId),
              companyEmployees(dataSource.manager, company.id),
            ]);
            response.record.params = {
              ...response.record.params,
              managers: emails.join(', '),
              balance: `${number.format(summary.balance.available)} available, ${number.format(summary.expiring.days30)} expiring within 30 days`,
              employees: employees.length
                ? employees.map((e) => `${e.address} — ${e.joined ? 'joined' : 'invited, not joined yet'}`).join('\n')
                : 'none yet: its managers add them from their dashboard',
            };
            return response;
          },
        },
      },
    },
  };
}

/**
 * Company funding: points into a company's account, from a partner's wallet or the program's
 * marketing account, one ledger transfer each (with the company, the funding and the staff member
 * in its references), audited. One reference funds once.
 */
export function companyFundingResource(dataSource: DataSource, ledger: Ledger): ResourceWithOptions {
  return {
    resource: CompanyFunding,
    options: {
      navigation: navigation.members,
      listProperties: ['fundedAt', 'companyId', 'partnerId', 'points', 'reason', 'fundedBy'],
      showProperties: ['fundedAt', 'companyId', 'partnerId', 'points', 'reason', 'reference', 'transferId', 'fundedBy'],
      editProperties: ['companyId', 'partnerId', 'points', 'reason', 'reference'],
      properties: {
        partnerId: { description: "The partner whose wallet pays. None: the program's marketing account pays." },
        points: { description: 'They expire as the program says, counted from today' },
        reason: { type: 'textarea', description: 'Why the company receives these points (kept with the transfer)' },
        reference: { isRequired: true, description: 'Your reference (an order, a contract). Funding twice with one reference funds once.' },
      },
      sort: { sortBy: 'fundedAt', direction: 'desc' },
      actions: {
        list: { isAccessible: readable('CompanyFunding') },
        search: { isAccessible: readable('CompanyFunding') },
        show: { isAccessible: readable('CompanyFunding') },
        edit: closed,
        delete: closed,
        bulkDelete: closed,
        new: {
          isAccessible: allowed('CompanyFunding', 'new'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {} as ActionResponse;
            const payload = request.payload ?? {};
            const typedPoints = String(payload.points ?? '').trim();
            const funding = {
              companyId: String(payload.companyId ?? ''),
              partnerId: payload.partnerId ? String(payload.partnerId) : null,
              points: /^[0-9]+$/.test(typedPoints) ? Number(typedPoints) : Number.NaN,
              reason: String(payload.reason ?? ''),
              reference: String(payload.reference ?? ''),
              fundedBy: staff(context)!.email,
            };
            const problems = fundingProblems(funding);
            if (Object.keys(problems).length > 0) refusedFields(problems);
            const { funding: saved, replayed } = await inTransaction(dataSource, async (m) => {
              const done = await fundCompany(m, ledger, funding);
              if (!done.replayed) {
                const { id, companyId, partnerId, points, reason, reference, transferId } = done.funding;
                await audit(m, context, {
                  action: 'new',
                  resource: 'CompanyFunding',
                  recordId: id,
                  before: null,
                  after: { companyId, partnerId, points, reason, reference, transferId },
                });
              }
              return done;
            }).catch((error: unknown) => refused(error, 'points'));
            const company = await dataSource.manager.findOneByOrFail(Company, { id: saved.companyId });
            const partner = saved.partnerId ? await dataSource.manager.findOneByOrFail(Partner, { id: saved.partnerId }) : null;
            const record = await context.resource.findOne(saved.id, context);
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'Company', recordId: company.id, actionName: 'show' }),
              notice: replayed
                ? { message: `Reference ${saved.reference} already funded ${company.name}: nothing more was moved`, type: 'info' }
                : {
                    message: `Funded: ${number.format(saved.points)} points from ${partner?.name ?? 'the program'} to ${company.name}`,
                    type: 'success',
                  },
            };
          },
        },
      },
    },
  };
}
