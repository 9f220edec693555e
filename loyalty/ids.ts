const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value can be a record's id (a UUID): anything else names no record, and is not asked of the database. */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && uuid.test(value);
