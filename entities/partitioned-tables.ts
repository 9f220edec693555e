/**
 * The tables partitioned by month: native range partitions on a timestamptz column in UTC, named
 * `<table>_pYYYYMM` (FROM the 1st 00:00+00 TO the next month's), and a `<table>_pdefault`
 * DEFAULT partition so that no write is refused for a month without its partition.
 */
export interface PartitionedTable {
  table: string;
  column: string;
  /**
   * `ledger`: the ledger's history, whose partitions stay attached (ledger:check's checkpoint
   * carries their sums, and lot consumptions point at lots); `archive`: old partitions may be
   * written to an archive and dropped after the program's retention.
   */
  history: 'ledger' | 'archive';
  /** Of a ledger table: the rows still open (a partition holding one may not be retired). */
  openRows?: string;
}

export const partitionedTables: PartitionedTable[] = [
  {
    table: 'ledger_transfer',
    column: 'createdAt',
    history: 'ledger',
    // A hold not yet posted or voided (ledger_hold_resolution has no id: `id` is the transfer's).
    openRows: `"phase" = 'pending' AND NOT EXISTS (SELECT 1 FROM ledger_hold_resolution r WHERE r."pendingTransferId" = id)`,
  },
  { table: 'point_lot', column: 'createdAt', history: 'ledger', openRows: '"remaining" > 0' },
  { table: 'member_event', column: 'occurredAt', history: 'archive' },
];

/** How many months ahead of the current one partitions are kept ready. */
export const monthsAhead = 3;

/** The first instant (UTC) of the month `offset` months after the month of `at`. */
export function monthStart(at: Date, offset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + offset, 1));
}

export function partitionName(table: string, month: Date): string {
  return `${table}_p${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

export const defaultPartitionName = (table: string) => `${table}_pdefault`;

/** The month a partition named by partitionName holds, or null for the default one or another table. */
export function partitionMonth(table: string, name: string): Date | null {
  const match = new RegExp(`^${table}_p(\\d{4})(\\d{2})$`).exec(name);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)) : null;
}

/** The statement attaching a new, empty partition of `month` to `parent` (which may be named apart from `table` during a migration). */
export function createPartitionSql(table: string, month: Date, parent = table): string {
  return `CREATE TABLE IF NOT EXISTS "${partitionName(table, month)}" PARTITION OF "${parent}"
            FOR VALUES FROM ('${month.toISOString()}') TO ('${monthStart(month, 1).toISOString()}')`;
}

/** Every month from the month of `from` through the month of `through`. */
export function monthsBetween(from: Date, through: Date): Date[] {
  const months: Date[] = [];
  for (let month = monthStart(from); month <= through; month = monthStart(month, 1)) months.push(month);
  return months;
}
