import type { Resource } from '@adminjs/typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

type Property = ReturnType<Resource['properties']>[number];

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const textual = new Set(['text', 'varchar', 'character varying', 'char', 'character', 'citext']);
const int32 = new Set(['int', 'int2', 'int4', 'integer', 'smallint']);

/** Whether a value can be a key of the column: a uuid, or a whole number that fits. */
export function isKeyOf(column: ColumnMetadata, value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  if (column.type === 'uuid') return uuid.test(String(value));
  return /^\d{1,9}$/.test(String(value));
}

const validDate = (value: unknown) => typeof value === 'string' && !Number.isNaN(new Date(value).getTime());

function wholeNumber(column: ColumnMetadata, value: unknown): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch {
    return false;
  }
  const limit = int32.has(String(column.type)) ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  return typeof parsed === 'number' && Number.isInteger(parsed) && Math.abs(parsed) <= limit;
}

/**
 * Whether the TypeORM adapter can filter a property by a value the way AdminJS asks it to, without
 * the database refusing the query: text contains, a uuid or a reference equals, a whole number,
 * a boolean, a date range. Anything else (JSON, arrays, sums kept as text) matches nothing.
 */
export function isFilterable(property: Property, value: unknown): boolean {
  const { column } = property;
  if (column.isArray) return false;
  switch (property.type()) {
    case 'string':
      // PostgreSQL text cannot hold a NUL: sent, it fails the query.
      return (
        typeof value === 'string' &&
        !value.includes('\u0000') &&
        (column.type === 'uuid' || column.type === String || textual.has(String(column.type)))
      );
    case 'reference':
      return !!column.referencedColumn && isKeyOf(column.referencedColumn, value);
    case 'number':
      return wholeNumber(column, value);
    case 'boolean':
      return value === 'true' || value === 'false';
    case 'date':
    case 'datetime': {
      if (typeof value !== 'object' || value === null) return false;
      const { from, to } = value as { from?: unknown; to?: unknown };
      return (from !== undefined || to !== undefined) && [from, to].every((bound) => bound === undefined || validDate(bound));
    }
    default:
      return false;
  }
}
