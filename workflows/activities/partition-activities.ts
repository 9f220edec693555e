import type { DataSource } from 'typeorm';
import { keepPartitionsAhead, type TablePartitionsKept } from '../../loyalty/partitions/maintenance.js';

/** The partition maintenance job's one call. */
export function createPartitionActivities({ dataSource }: { dataSource: DataSource }) {
  return {
    keepPartitionsAhead(asOf?: string): Promise<TablePartitionsKept[]> {
      return keepPartitionsAhead(dataSource, asOf ? new Date(asOf) : new Date());
    },
  };
}

export type PartitionActivities = ReturnType<typeof createPartitionActivities>;
