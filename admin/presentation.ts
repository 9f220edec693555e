import type { ActionContext, ActionResponse, After, PropertyOptions, RecordJSON, ResourceWithOptions } from 'adminjs';
import type { BaseEntity, DataSource } from 'typeorm';
import { recordNames } from '../loyalty/record-names.js';
import { canRead } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';

type Params = Record<string, unknown>;

/** What an id property names: records of a kind (an entity's name, or `LedgerAccount`), or of a kind the record says. */
export interface NamedId {
  kind: string | ((params: Params) => string | undefined);
  /** The resource whose records a form or a filter chooses among (AdminJS' reference), when there is one. */
  reference?: string;
  /** Shown when the id is empty (no partner: the program's account). */
  empty?: string;
  /** Shown when the id names nothing any more (past its retention), where the `empty` words would mislead. */
  gone?: string;
}

export interface Presentation {
  /** Ids shown as the names of what they identify, linked to its page when the reader may open it. */
  names?: Record<string, NamedId>;
  /** Amounts in the currency's minor unit, shown as money: in a currency, or the one a property of the record holds. */
  money?: Record<string, { currency: string } | { currencyProperty: string }>;
  /** Shown for a number that is empty (a stock: unlimited). */
  emptyNumbers?: Record<string, string>;
  /** Fields a form must fill: marked so on the form (the server's check says so too). */
  required?: string[];
  /** Adds what the records of a list, page or form show besides their columns (the details of a JSON column in words). */
  details?: (records: RecordJSON[], context: ActionContext) => Promise<void>;
}

const hidden = { list: false, filter: false, show: false, edit: false };
const afterActions = ['list', 'show', 'edit'];

/** The ids' names, and a link to their pages for a reader who may open them, in each record's params (`<path>Name`, `<path>Link`). */
async function withNames(dataSource: DataSource, names: Record<string, NamedId>, records: RecordJSON[], context: ActionContext) {
  const user = context.currentAdmin as unknown as StaffSession | undefined;
  const kindOf = (named: NamedId, params: Params) => (typeof named.kind === 'function' ? named.kind(params) : named.kind);
  const wanted = new Map<string, unknown[]>();
  for (const record of records) {
    for (const [path, named] of Object.entries(names)) {
      const kind = kindOf(named, record.params);
      if (kind) wanted.set(kind, [...(wanted.get(kind) ?? []), record.params[path]]);
    }
  }
  const found = new Map(
    await Promise.all([...wanted].map(async ([kind, ids]) => [kind, await recordNames(dataSource.manager, kind, ids)] as const)),
  );
  for (const record of records) {
    for (const [path, named] of Object.entries(names)) {
      const kind = kindOf(named, record.params);
      const id = record.params[path];
      if (!kind || id === undefined || id === null || id === '') continue;
      const name = found.get(kind)?.get(String(id));
      if (kind === 'Member' && user && !canRead('Member', user.role)) {
        // A store knows its customers by its own ids, not by the coalition's names.
        if (typeof record.params.customerId === 'string') record.params[`${path}Name`] = record.params.customerId;
        continue;
      }
      if (!name) {
        if (named.gone) record.params[`${path}Name`] = named.gone;
        continue;
      }
      record.params[`${path}Name`] = name.name;
      if (name.page && user && canRead(name.page.kind, user.role)) {
        record.params[`${path}Link`] = context.h.recordActionUrl({
          resourceId: name.page.kind,
          recordId: name.page.id,
          actionName: 'show',
        });
      }
    }
  }
}

function hooks(after: unknown): After<ActionResponse>[] {
  if (after === undefined) return [];
  return (Array.isArray(after) ? after : [after]) as After<ActionResponse>[];
}

/**
 * A resource as people read it: no id shown, moments in the reader's time zone, numbers grouped,
 * amounts as money, ids as the names of what they identify (with a link), newest first unless the
 * resource says otherwise. The resource's own options win over these.
 */
export function presented(
  dataSource: DataSource,
  readableValue: string,
  { resource, options = {} }: ResourceWithOptions,
  { names = {}, money = {}, emptyNumbers = {}, required = [], details }: Presentation = {},
): ResourceWithOptions {
  const metadata = dataSource.getMetadata(resource as typeof BaseEntity);
  const display = (custom: Record<string, unknown>): PropertyOptions => ({
    components: { list: readableValue, show: readableValue },
    custom,
  });
  const defaults: Record<string, PropertyOptions> = {};
  for (const column of metadata.columns) {
    const path = column.propertyPath;
    const type = String(typeof column.type === 'function' ? column.type.name : column.type);
    if (column.isPrimary) defaults[path] = { isVisible: hidden };
    else if (['timestamptz', 'timestamp with time zone', 'timestamp'].includes(type)) defaults[path] = display({ display: 'dateTime' });
    else if (['integer', 'int', 'bigint', 'numeric', 'decimal'].includes(type)) {
      defaults[path] = display({ display: 'number', empty: emptyNumbers[path] });
    }
  }
  for (const [path, named] of Object.entries(names)) {
    defaults[path] = {
      ...display({ display: 'name', empty: named.empty }),
      // Sorting would order by the id, which reads as no order at all.
      isSortable: false,
      ...(named.reference ? { type: 'reference', reference: named.reference } : {}),
    };
  }
  for (const [path, currency] of Object.entries(money)) defaults[path] = display({ display: 'money', ...currency });
  for (const path of required) defaults[path] = { ...defaults[path], isRequired: true };

  const own = (options.properties ?? {}) as Record<string, PropertyOptions>;
  // A choice reads as its label, as written (AdminJS would capitalise every word of it).
  for (const [path, property] of Object.entries(own)) {
    if (property.availableValues && !property.components) defaults[path] = { ...defaults[path], ...display({ display: 'choice' }) };
  }
  const properties = Object.fromEntries(
    [...new Set([...Object.keys(defaults), ...Object.keys(own)])].map((path) => [path, { ...defaults[path], ...own[path] }]),
  );
  const named: After<ActionResponse> = async (response, _request, context) => {
    const records = [
      ...((response.records as RecordJSON[] | undefined) ?? []),
      ...(response.record ? [response.record as RecordJSON] : []),
    ];
    if (records.length > 0 && Object.keys(names).length > 0) await withNames(dataSource, names, records, context);
    if (records.length > 0 && details) await details(records, context);
    return response;
  };
  const actions = { ...(options.actions as Record<string, { after?: unknown } | undefined>) };
  for (const action of afterActions) actions[action] = { ...actions[action], after: [...hooks(actions[action]?.after), named] };
  const newest = ['createdAt', 'occurredAt', 'at'].find((path) => metadata.columns.some((column) => column.propertyPath === path));
  return {
    resource,
    options: {
      ...options,
      ...(options.sort || !newest ? {} : { sort: { sortBy: newest, direction: 'desc' as const } }),
      properties,
      actions: actions as ResourceWithOptions['options']['actions'],
    },
  };
}
