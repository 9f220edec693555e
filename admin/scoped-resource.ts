import { Resource } from '@adminjs/typeorm';
import { BaseRecord, Filter, ForbiddenError, type ActionContext } from 'adminjs';
import { Raw, type BaseEntity } from 'typeorm';
import { refusedDeletion, refusedWrite } from './database-refusals.js';
import { dataScope, type DataScope } from './permissions.js';
import { isFilterable, isKeyOf } from './record-filters.js';
import type { StaffSession } from './staff-sign-in.js';

type Property = ReturnType<Resource['properties']>[number];
type Context = Partial<Pick<ActionContext, 'currentAdmin'>> & { serverWrites?: Record<string, unknown> };
type Params = Record<string, unknown>;

const maxPerPage = 500;
/**
 * From this many rows on, an unfiltered list shows the table's size as PostgreSQL's statistics
 * know it (as the query planner reckons it) instead of counting: a COUNT over ten million
 * transfers takes most of a second, for a figure nobody pages to the end of.
 */
export const estimatedFromRows = 100_000;
/** A uuid as PostgreSQL writes it: the adapter compared the text, which no other spelling matches. */
const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Values of hidden columns that the server's own action hooks write (a new signing secret, the hash
 * of a typed password): a form never can.
 */
export function serverWrites(context: ActionContext): Params {
  const typed = context as Context;
  typed.serverWrites ??= {};
  return typed.serverWrites;
}

/**
 * The back office's TypeORM adapter. Every read and write AdminJS makes (lists, searches, filters on
 * any property, records, bulk selections, reference lookups, custom actions' records) goes through
 * the signed-in staff member's scope: all records, one partner's own, or none. Columns TypeORM does
 * not load unless asked (password and key hashes, signing secrets) are no property of the back
 * office: never shown, filtered or sorted on, nor written from a form. What the database refuses
 * to write or delete is said in words, under the field at fault.
 */
export class ScopedResource extends Resource {
  constructor(private readonly entity: typeof BaseEntity) {
    super(entity);
  }

  override properties(): Property[] {
    return super.properties().filter((property) => property.column.isSelect);
  }

  override async count(filter: Filter, context?: Context): Promise<number> {
    const scoped = this.scopedFilter(filter, context);
    if (!scoped) return 0;
    if (Object.keys(scoped.filters).length === 0) {
      const estimate = await this.estimatedRows();
      if (estimate >= estimatedFromRows) return estimate;
    }
    return super.count(scoped);
  }

  override async find(
    filter: Filter,
    params: { limit?: unknown; offset?: unknown; sort?: { sortBy?: unknown; direction?: unknown } },
    context?: Context,
  ): Promise<BaseRecord[]> {
    const scoped = this.scopedFilter(filter, context);
    if (!scoped) return [];
    const limit = Number(params.limit ?? 10);
    const offset = Number(params.offset ?? 0);
    const sortBy =
      this.properties()
        .find((p) => p.path() === params.sort?.sortBy && p.isSortable())
        ?.path() ?? this.idName();
    const found = await super.find(scoped, {
      limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, maxPerPage) : 10,
      offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
      sort: { sortBy, direction: params.sort?.direction === 'desc' ? 'desc' : 'asc' },
    });
    return withoutHidden(found, this.scope(context));
  }

  override async findOne(id: string | number, context?: Context): Promise<BaseRecord | null> {
    return (await this.findMany([id], context))[0] ?? null;
  }

  override async findMany(ids: (string | number)[], context?: Context): Promise<BaseRecord[]> {
    const scope = this.scope(context);
    const keys = ids.filter((id) => this.isKey(id));
    if (scope.kind === 'none' || keys.length === 0) return [];
    const found = await super.findMany(keys);
    const alsoRead = await this.alsoReadable(found, scope);
    return withoutHidden(
      found.filter((record) => inScope(record.params, scope) || alsoRead.has(String(record.id()))),
      scope,
    );
  }

  /** A record the staff member may change: within its own scope, not only readable. */
  private async ownRecord(pk: string | number, context: Context | undefined): Promise<BaseRecord | null> {
    const scope = this.scope(context);
    if (scope.kind === 'none' || !this.isKey(pk)) return null;
    const record = await super.findOne(pk);
    return record && inScope(record.params, scope) ? record : null;
  }

  /** Of these records outside a partner's own, the ids it reads all the same (see partnerAlsoReads). */
  private async alsoReadable(records: BaseRecord[], scope: DataScope): Promise<Set<string>> {
    if (scope.kind !== 'partner' || !scope.alsoReads) return new Set();
    const others = records.filter((record) => !inScope(record.params, scope)).map((record) => String(record.id()));
    if (others.length === 0) return new Set();
    const repository = this.entity.getRepository();
    const rows: { id: string }[] = await repository.manager.query(
      `SELECT "${this.idName()}"::text AS id FROM "${repository.metadata.tableName}" WHERE "${this.idName()}" = ANY($1) AND (${scope.alsoReads('$2')})`,
      [others, scope.partnerId],
    );
    return new Set(rows.map((row) => row.id));
  }

  override async create(params: Params, context?: Context): Promise<Params> {
    const scope = this.scope(context);
    const values = this.writable(params, context);
    if (scope.kind === 'none' || (scope.kind === 'partner' && values[scope.column] !== scope.partnerId)) {
      throw new ForbiddenError('You may not create this record');
    }
    return this.withoutHidden(await super.create(values));
  }

  override async update(pk: string | number, params: Params = {}, context?: Context): Promise<Params> {
    const scope = this.scope(context);
    const values = this.writable(params, context);
    const moved = scope.kind === 'partner' && scope.column in values && values[scope.column] !== scope.partnerId;
    if (moved || !(await this.ownRecord(pk, context))) throw new ForbiddenError('You may not change this record');
    return this.withoutHidden(await super.update(pk, values));
  }

  override async delete(pk: string | number, context?: Context): Promise<void> {
    if (!(await this.ownRecord(pk, context))) throw new ForbiddenError('You may not delete this record');
    const repository = this.entity.getRepository();
    const instance = await repository.findOneBy({ [this.idName()]: pk });
    try {
      if (instance) await repository.remove(instance);
    } catch (error) {
      throw (await refusedDeletion(error, repository.manager, repository.metadata, pk)) ?? error;
    }
  }

  /** Saves what create and update prepared (the adapter's own would hide anything but a refusal of the data). */
  override async validateAndSave(instance: BaseEntity): Promise<void> {
    try {
      await instance.save();
    } catch (error) {
      throw refusedWrite(error, this.entity.getRepository().metadata, instance as unknown as Record<string, unknown>) ?? error;
    }
  }

  /**
   * The table's rows as the planner reckons them: its statistics' density times its pages now (0 before
   * any ANALYZE), summed over its partitions when it is partitioned by month (the parent holds none).
   */
  private async estimatedRows(): Promise<number> {
    const repository = this.entity.getRepository();
    const [row]: { rows: number | null }[] = await repository.manager.query(
      `SELECT round(SUM(CASE WHEN c.reltuples > 0 AND c.relpages > 0
                             THEN c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)
                        END))::float8 AS rows
         FROM pg_class c
        WHERE c.oid = to_regclass($1) OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass($1))`,
      [`"${repository.metadata.tableName}"`],
    );
    return row?.rows ?? 0;
  }

  private scope(context: Context | undefined): DataScope {
    return dataScope(this.id(), context?.currentAdmin as StaffSession | undefined);
  }

  private isKey(id: unknown): boolean {
    const key = super.properties().find((property) => property.isId());
    return !!key && isKeyOf(key.column, id);
  }

  /**
   * The filter narrowed to the scope, or null when nothing can match: a filter on a property the
   * back office does not have, a value the property cannot be filtered by, another partner.
   */
  private scopedFilter(filter: Filter, context: Context | undefined): Filter | null {
    const scope = this.scope(context);
    if (scope.kind === 'none') return null;
    const properties = new Map(this.properties().map((property) => [property.path(), property]));
    const scoped = new Filter({}, this);
    for (const [path, element] of Object.entries(filter.filters)) {
      const property = properties.get(path);
      if (!property || !isFilterable(property, element.value)) return null;
      scoped.filters[path] = { ...element, property };
    }
    const own =
      scope.kind === 'partner' && (!scope.alsoReads || scoped.filters[scope.column] || scope.hidden?.some((path) => scoped.filters[path]));
    if (scope.kind === 'partner' && own) {
      if (scoped.filters[scope.column] && scoped.filters[scope.column]!.value !== scope.partnerId) return null;
      scoped.filters[scope.column] = { path: scope.column, property: properties.get(scope.column)!, value: scope.partnerId };
    }
    // The adapter compares a uuid column as text (CAST(column AS CHAR(36)) = value), which no index
    // serves: a partner's events were a scan of all events. Compared as a uuid, it is an index lookup.
    for (const element of Object.values(scoped.filters) as (Filter['filters'][string] & { custom?: unknown })[]) {
      if (element.property.type() !== 'string' || (element.property as Property).column.type !== 'uuid') continue;
      if (typeof element.value !== 'string' || !uuidText.test(element.value)) return null;
      // The adapter's own way to hand a value to TypeORM as it is (see its CustomParser).
      element.custom = element.value;
    }
    if (scope.kind === 'partner' && !own) {
      // Its own records or those it also reads: the key among theirs (with the key asked for, if one was).
      const key = this.idName();
      const asked = scoped.filters[key] as (Filter['filters'][string] & { custom?: unknown }) | undefined;
      const table = this.entity.getRepository().metadata.tableName;
      const readableKeys = `SELECT "${key}" FROM "${table}" WHERE "${scope.column}" = :scopePartnerId OR (${scope.alsoReads!(':scopePartnerId')})`;
      const custom = Raw((alias) => `${alias} IN (${readableKeys})${asked ? ` AND ${alias} = :scopeKey` : ''}`, {
        scopePartnerId: scope.partnerId,
        ...(asked ? { scopeKey: asked.value } : {}),
      });
      scoped.filters[key] = { path: key, property: properties.get(key)!, value: scope.partnerId, custom } as Filter['filters'][string];
    }
    return scoped;
  }

  /** What a request may write: never a hidden column, except what the server's hooks set. */
  private writable(params: Params, context: Context | undefined): Params {
    const hidden = this.hiddenPaths();
    const allowed = Object.entries(params).filter(([key]) => !hidden.has(key.split('.')[0]!));
    return { ...Object.fromEntries(allowed), ...context?.serverWrites };
  }

  private withoutHidden(saved: Params): Params {
    const hidden = this.hiddenPaths();
    return Object.fromEntries(Object.entries(saved).filter(([key]) => !hidden.has(key)));
  }

  private hiddenPaths(): Set<string> {
    return new Set(
      super
        .properties()
        .filter((property) => !property.column.isSelect)
        .map((property) => property.path()),
    );
  }
}

function inScope(params: Params, scope: DataScope): boolean {
  return scope.kind === 'all' || (scope.kind === 'partner' && params[scope.column] === scope.partnerId);
}

/** Records a partner only reads, without what it does not read in them (see partnerReadersDoNotSee). */
function withoutHidden(records: BaseRecord[], scope: DataScope): BaseRecord[] {
  if (scope.kind !== 'partner' || !scope.hidden) return records;
  for (const record of records) {
    if (inScope(record.params, scope)) continue;
    for (const path of scope.hidden) record.set(path, null);
  }
  return records;
}
