import { ValidationError } from 'adminjs';
import { QueryFailedError, type EntityManager, type EntityMetadata } from 'typeorm';

/** What PostgreSQL says about a statement it refused (node-postgres' error fields). */
interface DatabaseError {
  code?: string;
  column?: string;
  constraint?: string;
  detail?: string;
  message: string;
}

type FieldErrors = Record<string, { message: string }>;

const correctTheFields = 'Please correct the highlighted fields';

function databaseError(error: unknown): DatabaseError | null {
  if (!(error instanceof QueryFailedError)) return null;
  return error.driverError as DatabaseError;
}

/** The entity's properties whose columns a piece of SQL names: `Key ("partnerId", code)`, `lower(email)`, a check. */
function propertiesNamedIn(sql: string, metadata: EntityMetadata): string[] {
  return metadata.columns
    .filter((column) => new RegExp(`(^|[^\\w])"?${column.databaseName}"?([^\\w]|$)`).test(sql))
    .map((column) => column.propertyPath);
}

function propertyOfColumn(columnName: string | undefined, metadata: EntityMetadata): string | undefined {
  return metadata.columns.find((column) => column.databaseName === columnName)?.propertyPath;
}

/** The columns a unique constraint or index covers, by its name, or else as its refusal names them. */
function uniqueProperties(refusal: DatabaseError, metadata: EntityMetadata): string[] {
  const declared = [...metadata.uniques, ...metadata.indices.filter((index) => index.isUnique)].find(
    (unique) => unique.name === refusal.constraint,
  );
  if (declared && declared.columns.length > 0) return declared.columns.map((column) => column.propertyPath);
  const key = /^Key \((.+)\)=/.exec(refusal.detail ?? '')?.[1];
  return key ? propertiesNamedIn(key, metadata) : [];
}

/** The column holding the value a type refusal quotes (`invalid input syntax for type uuid: "nope"`). */
function columnHolding(refusal: DatabaseError, metadata: EntityMetadata, values: Record<string, unknown>) {
  const quoted = /: "(.*)"$/.exec(refusal.message)?.[1] ?? /^value "(.*)" is out of range/.exec(refusal.message)?.[1];
  if (quoted === undefined) return undefined;
  return metadata.columns.find((column) => {
    const value = column.getEntityValue(values);
    return value !== undefined && value !== null && String(value) === quoted;
  });
}

function allOn(properties: string[], message: string): FieldErrors {
  return Object.fromEntries(properties.map((property) => [property, { message }]));
}

/**
 * A write the database refused, as the back office shows it: under the field at fault, in words —
 * never the SQL text. Null when the error is no refusal of the data (the caller rethrows it).
 */
export function refusedWrite(error: unknown, metadata: EntityMetadata, values: Record<string, unknown>): ValidationError | null {
  const refusal = databaseError(error);
  if (!refusal) return null;
  let fields: FieldErrors = {};
  let base = correctTheFields;
  switch (refusal.code) {
    case '23502': {
      const property = propertyOfColumn(refusal.column, metadata);
      if (property) fields = { [property]: { message: 'is required' } };
      else base = 'A required value is missing';
      break;
    }
    case '23505': {
      const properties = uniqueProperties(refusal, metadata);
      if (properties.length > 0)
        fields = allOn(properties, properties.length > 1 ? 'this combination is already taken' : 'is already taken');
      else base = 'Another record already has these values';
      break;
    }
    case '23503': {
      const key = /^Key \((.+)\)=/.exec(refusal.detail ?? '')?.[1];
      const properties = key ? propertiesNamedIn(key, metadata) : [];
      if (properties.length > 0) fields = allOn(properties, 'choose one that exists');
      else base = 'A record this one refers to does not exist';
      break;
    }
    case '23514': {
      const check = metadata.checks.find((c) => c.name === refusal.constraint);
      const properties = check ? propertiesNamedIn(check.expression, metadata) : [];
      if (properties.length > 0) fields = allOn(properties, 'is not a value the program allows here');
      else base = 'A value is not one the program allows';
      break;
    }
    default: {
      // Data exceptions (class 22): a value of the wrong kind or size for its column.
      // Anything else (a lost connection, a deadlock) is no fault of the form: it stays an error.
      if (!refusal.code?.startsWith('22')) return null;
      const tooLarge = refusal.code === '22003' || refusal.code === '22001';
      const column = columnHolding(refusal, metadata, values);
      if (column) {
        const message = tooLarge
          ? 'is too large'
          : column.referencedColumn
            ? 'choose one that exists'
            : 'is not a valid value for this field';
        fields = { [column.propertyPath]: { message } };
      } else base = tooLarge ? 'A value is too large for its field' : 'A value is not valid for its field';
    }
  }
  return new ValidationError(fields, { message: base, type: 'database' });
}

/**
 * A deletion the database refused because other records still use the record, counted by what
 * uses it; null when it was refused for another reason.
 */
export async function refusedDeletion(
  error: unknown,
  manager: EntityManager,
  metadata: EntityMetadata,
  id: unknown,
): Promise<ValidationError | null> {
  const refusal = databaseError(error);
  // foreign_key_violation, or restrict_violation for a reference declared ON DELETE RESTRICT.
  if (refusal?.code !== '23503' && refusal?.code !== '23001') return null;
  // The references that refuse a deletion (no action, restrict); cascades go with the record.
  const references: { source: string; column: string; label: string }[] = await manager.query(
    `SELECT c.conrelid::regclass::text AS source, quote_ident(a.attname) AS column, replace(t.relname, '_', ' ') AS label
       FROM pg_constraint c
       JOIN pg_class t ON t.oid = c.conrelid
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      WHERE c.contype = 'f' AND c.confrelid = $1::regclass AND c.confdeltype IN ('a', 'r') AND cardinality(c.conkey) = 1
      ORDER BY t.relname`,
    [metadata.tablePath],
  );
  const uses: string[] = [];
  let total = 0;
  for (const reference of references) {
    const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM ${reference.source} WHERE ${reference.column} = $1`, [id]);
    if (count > 0) uses.push(`${reference.label}: ${count}`);
    total += count;
  }
  // Records of a record deleted with this one (a cascade) can be what is still used.
  const elsewhere = /from table "(\w+)"/.exec(refusal.detail ?? '')?.[1]?.replace(/_/g, ' ');
  const message =
    total > 0
      ? `Cannot be deleted: ${total} ${total === 1 ? 'record still uses' : 'records still use'} it (${uses.join(', ')})`
      : `Cannot be deleted: records${elsewhere ? ` (${elsewhere})` : ''} still use it`;
  return new ValidationError({}, { message, type: 'database' });
}
