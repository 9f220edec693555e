import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuditEntry, FundingSource, fundingSourceKinds } from '../entities/index.js';
import type { FieldErrors } from '../loyalty/earning/configuration-checks.js';
import { text } from '../loyalty/field-checks.js';
import { allocateToSource, createFundingSource } from '../loyalty/funding-sources/funding-sources.js';
import {
  checkAllocation,
  checkFundingSourceSettings,
  checkNewFundingSource,
  fundingSourceKindLabels,
} from '../loyalty/funding-sources/funding-source-form.js';
import { sourceFigures, type SourceFigures } from '../loyalty/funding-sources/source-figures.js';
import { movementStatement } from '../loyalty/liability/movement-statement.js';
import { outstandingCredit } from '../loyalty/liability/outstanding-credit.js';
import { outstandingLiability } from '../loyalty/liability/outstanding-liability.js';
import { IdempotencyConflictError } from '../loyalty/ledger/errors.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { minorDigits } from '../loyalty/money.js';
import { Refusal } from '../loyalty/refusal.js';
import { dateRange } from '../reports/date-range.js';
import { liabilityCsv } from '../reports/liability-csv.js';
import { allowed } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';
import { ScopedResource } from './scoped-resource.js';

const closed = { isAccessible: () => false };
const number = new Intl.NumberFormat('en');

/** A source's ledger account is the ledger's business: no property of the back office (nor a resource to link to). */
class FundingSourceRecords extends ScopedResource {
  override properties() {
    return super.properties().filter((property) => property.path() !== 'accountId');
  }
}
const figureNames = ['allocated', 'issued', 'consumed', 'expired', 'outstanding', 'remaining'] as const;
const shownOnly = { list: true, filter: false, edit: false, show: true };

function refusedFields(problems: FieldErrors): never {
  throw new ValidationError(Object.fromEntries(Object.entries(problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

function refused(error: unknown, fallbackField: string): never {
  if (!(error instanceof Refusal)) throw error;
  refusedFields({ [error.field ?? fallbackField]: error.reason });
}

/** The figures as the record's own (read-only) properties. */
function withFigures(params: Record<string, unknown>, figures: SourceFigures | undefined): Record<string, unknown> {
  if (!figures) return params;
  const shown = Object.fromEntries(figureNames.map((name) => [name, number.format(figures[name])]));
  return { ...params, ...shown, low: figures.low ? 'yes' : 'no' };
}

/**
 * Funding sources in the back office: operator staff make one (a brand's or the operator's budget, or
 * a partner's own), allocate points to it and change its name and alert level; its list and page show
 * what it was allocated, issued, what members spent and let expire of it, what they still hold and
 * what is left. A partner user reads its own sources only. The liability report is an action here.
 */
export function fundingSourceResource(
  dataSource: DataSource,
  ledger: Ledger,
  components: { allocate: string; liability: string },
): ResourceWithOptions {
  const figuresOf = async (ids: string[]) =>
    new Map((await sourceFigures(dataSource.manager)).filter((f) => ids.includes(f.id)).map((f) => [f.id, f]));
  return {
    resource: new FundingSourceRecords(FundingSource),
    options: {
      navigation: navigation.partners,
      listProperties: ['name', 'kind', 'ownerPartnerId', ...figureNames, 'low'],
      showProperties: ['name', 'code', 'kind', 'ownerPartnerId', ...figureNames, 'lowBalanceThreshold', 'low', 'alertEmail', 'createdAt'],
      editProperties: ['code', 'name', 'kind', 'ownerPartnerId', 'lowBalanceThreshold', 'alertEmail'],
      filterProperties: ['name', 'kind', 'ownerPartnerId'],
      properties: {
        code: { description: 'Lowercase letters, digits and dashes, like spring-brand-budget. It never changes.' },
        kind: {
          availableValues: fundingSourceKinds.map((value) => ({ value, label: fundingSourceKindLabels[value] })),
          description: "A partner's budget is allocated from its wallet; a brand's or the operator's from the program's issuance.",
        },
        ownerPartnerId: { description: "For a partner's own budget only: the partner whose campaigns it may pay." },
        lowBalanceThreshold: { type: 'number', description: 'Under this many points left, the alert email is sent (once per crossing).' },
        alertEmail: { description: "Who is told when it runs low. Empty: the owner partner's contact email." },
        allocated: { type: 'string', isVisible: shownOnly, description: 'Points allocated to it, less any taken back' },
        issued: { type: 'string', isVisible: shownOnly, description: 'Points it gave members, less what refunds took back' },
        consumed: { type: 'string', isVisible: shownOnly, description: 'Of those, spent by members (holds included until voided)' },
        expired: { type: 'string', isVisible: shownOnly, description: 'Of those, expired unspent' },
        outstanding: { type: 'string', isVisible: shownOnly, description: 'Of those, still held by members' },
        remaining: { type: 'string', isVisible: shownOnly, description: 'Left in the source to pay with' },
        low: { type: 'string', isVisible: shownOnly },
      },
      sort: { sortBy: 'name', direction: 'asc' },
      actions: {
        list: {
          isAccessible: readable('FundingSource'),
          after: async (response: ActionResponse) => {
            const records = (response.records ?? []) as { id: string; params: Record<string, unknown> }[];
            const figures = await figuresOf(records.map((r) => r.id));
            for (const record of records) record.params = withFigures(record.params, figures.get(record.id));
            return response;
          },
        },
        search: { isAccessible: readable('FundingSource') },
        show: {
          isAccessible: readable('FundingSource'),
          after: async (response: ActionResponse) => {
            if (!response.record) return response;
            const figures = await figuresOf([response.record.id]);
            response.record.params = withFigures(response.record.params, figures.get(response.record.id));
            return response;
          },
        },
        delete: closed,
        bulkDelete: closed,
        new: {
          isAccessible: allowed('FundingSource', 'new'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return {} as ActionResponse;
            const payload = request.payload ?? {};
            const problems = await checkNewFundingSource(dataSource.manager, payload);
            if (Object.keys(problems).length > 0) refusedFields(problems);
            const fields = {
              code: text(payload.code),
              name: text(payload.name),
              kind: payload.kind as (typeof fundingSourceKinds)[number],
              ownerPartnerId: payload.kind === 'partner' ? text(payload.ownerPartnerId) : null,
              lowBalanceThreshold: Number(text(payload.lowBalanceThreshold)),
              alertEmail: text(payload.alertEmail) || null,
            };
            const source = await inTransaction(dataSource, async (m) => {
              const made = await createFundingSource(m, fields);
              await audit(m, context, 'new', made.id, null, fields);
              return made;
            }).catch((error: unknown) => refused(error, 'code'));
            const record = await context.resource.findOne(source.id, context);
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'FundingSource', recordId: source.id, actionName: 'show' }),
              notice: { message: `${source.name} is made: allocate points to it to let it pay`, type: 'success' },
            };
          },
        },
        edit: {
          isAccessible: allowed('FundingSource', 'edit'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record!.params.id);
            if (request.method !== 'post') return { record: context.record!.toJSON(context.currentAdmin) };
            const payload = request.payload ?? {};
            const current = await dataSource.manager.findOneByOrFail(FundingSource, { id });
            const problems = { ...checkFundingSourceSettings(payload), ...fixedFieldProblems(current, payload) };
            if (Object.keys(problems).length > 0) refusedFields(problems);
            const changes = {
              name: text(payload.name),
              lowBalanceThreshold: Number(text(payload.lowBalanceThreshold)),
              alertEmail: text(payload.alertEmail) || null,
            };
            await inTransaction(dataSource, async (m) => {
              const before = await m.findOneByOrFail(FundingSource, { id });
              await m.update(FundingSource, { id }, changes);
              const was = { name: before.name, lowBalanceThreshold: before.lowBalanceThreshold, alertEmail: before.alertEmail };
              await audit(m, context, 'edit', id, was, changes);
            });
            const record = await context.resource.findOne(id, context);
            return {
              record: record!.toJSON(context.currentAdmin),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'FundingSource', recordId: id, actionName: 'show' }),
              notice: { message: `${changes.name} saved`, type: 'success' },
            };
          },
        },
        allocate: {
          actionType: 'record',
          icon: 'PlusCircle',
          component: components.allocate,
          isAccessible: allowed('FundingSource', 'allocate'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = context.record!.toJSON(context.currentAdmin);
            const id = String(record.params.id);
            const [figures] = await sourceFigures(dataSource.manager, { sourceId: id });
            record.params = withFigures(record.params, figures);
            if (request.method !== 'post') return { record };
            const payload = request.payload ?? {};
            const problems = checkAllocation(payload);
            if (Object.keys(problems).length > 0) return { record: { ...record, errors: toErrors(problems) } };
            const points = Number(text(payload.points));
            const reference = text(payload.reference);
            const note = text(payload.note) || undefined;
            const by = staff(context)!.email;
            try {
              const done = await inTransaction(dataSource, async (m) => {
                const result = await allocateToSource(m, ledger, { sourceId: id, points, key: `${id}:${reference}`, by, note });
                if (!result.replayed)
                  await audit(m, context, 'allocate', id, null, { points, reference, transferId: result.transfers[0]!.id });
                return result;
              });
              return {
                record,
                redirectUrl: context.h.recordActionUrl({ resourceId: 'FundingSource', recordId: id, actionName: 'show' }),
                notice: done.replayed
                  ? { message: `Reference ${reference} was already allocated: nothing more was moved`, type: 'info' }
                  : { message: `${number.format(points)} points allocated to ${String(record.params.name)}`, type: 'success' },
              };
            } catch (error) {
              if (error instanceof IdempotencyConflictError) {
                const reason = `${reference} was already used for another allocation to this source: give this one its own reference`;
                return { record: { ...record, errors: toErrors({ reference: reason }) } };
              }
              if (!(error instanceof Refusal)) throw error;
              return { record: { ...record, errors: toErrors({ [error.field ?? 'points']: error.reason }) } };
            }
          },
        },
        liability: {
          actionType: 'resource',
          icon: 'BarChart',
          component: components.liability,
          showInDrawer: false,
          isAccessible: allowed('FundingSource', 'liability'),
          handler: async (request: ActionRequest): Promise<ActionResponse> => {
            try {
              const range = dateRange(request.query ?? {});
              const [statement, outstanding, credit] = await Promise.all([
                movementStatement(dataSource.manager, range.start, range.end),
                outstandingLiability(dataSource.manager),
                outstandingCredit(dataSource.manager),
              ]);
              const csv = liabilityCsv(statement, outstanding, credit, minorDigits(statement.currency));
              return {
                range: { from: range.from, to: range.to },
                statement,
                outstanding,
                credit,
                download: { filename: `tessera-liability-${range.from}-to-${range.to}.csv`, type: 'text/csv', content: csv },
              } as unknown as ActionResponse;
            } catch (error) {
              if (!(error instanceof Refusal)) throw error;
              return { errors: { [error.field ?? 'from']: error.reason } } as unknown as ActionResponse;
            }
          },
        },
      },
    },
  };
}

/** Written in the transaction of the change itself: a change is never without its audit entry. */
function audit(manager: EntityManager, context: ActionContext, action: string, recordId: string, before: object | null, after: object) {
  const user = staff(context);
  return manager.insert(AuditEntry, {
    staffUserId: user?.id ?? null,
    staffEmail: user?.email ?? 'unknown',
    action,
    resource: 'FundingSource',
    recordId,
    before,
    after,
  });
}

/** A source keeps its code, kind and owner: the ledger and its campaigns know it by them. */
function fixedFieldProblems(source: FundingSource, payload: Record<string, unknown>): FieldErrors {
  const problems: FieldErrors = {};
  const sent = (field: string) => (field in payload ? text(payload[field]) : undefined);
  if (sent('code') !== undefined && sent('code') !== source.code) problems.code = 'never changes: make a new funding source';
  if (sent('kind') !== undefined && sent('kind') !== source.kind) problems.kind = 'never changes: make a new funding source';
  if (sent('ownerPartnerId') !== undefined && sent('ownerPartnerId') !== (source.ownerPartnerId ?? ''))
    problems.ownerPartnerId = 'never changes: make a new funding source';
  return problems;
}

function toErrors(problems: FieldErrors): Record<string, { message: string }> {
  return Object.fromEntries(Object.entries(problems).map(([field, message]) => [field, { message }]));
}
