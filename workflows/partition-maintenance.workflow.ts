import { log, proxyActivities } from '@temporalio/workflow';
import type { PartitionActivities } from './activities/partition-activities.js';

const { keepPartitionsAhead } = proxyActivities<PartitionActivities>({
  startToCloseTimeout: '10 minutes',
  // A table too busy to lock now is tried again a little later.
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

/**
 * Keeps each partitioned table's months ready ahead (see entities/partitioned-tables.ts), and
 * says which rows wait in a default partition. `asOf` (ISO) stands in for now, for tests.
 */
export async function partitionMaintenanceWorkflow(asOf?: string): ReturnType<PartitionActivities['keepPartitionsAhead']> {
  const kept = await keepPartitionsAhead(asOf);
  for (const table of kept) {
    if (table.created.length > 0) log.info('partitions created', { table: table.table, created: table.created, moved: table.moved });
    if (table.inDefault > 0) log.warn('rows in a default partition', { table: table.table, rows: table.inDefault });
  }
  return kept;
}
