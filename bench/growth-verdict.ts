/**
 * The figures and verdicts of `npm run bench:growth` (issue 13, item 5): the API's p99 on the
 * 10M-transfer set against an empty cluster, and the member history's deep pages against its first.
 */

/** How much slower than its reference a figure may be before the run fails: 20%. */
export const allowedGrowth = 1.2;

export interface GrowthOptions {
  seconds: number;
  connections: number[];
  /** Calls of each history page measured, per cluster. */
  historyCalls: number;
}

function positiveInteger(name: string, value: string): number {
  if (!/^[1-9][0-9]*$/.test(value.trim())) throw new Error(`${name} must be a whole number above 0, not "${value}"`);
  return Number(value);
}

/** BENCH_SECONDS (default 10), BENCH_CONNECTIONS (comma-separated, default 8,32), BENCH_HISTORY_CALLS (default 200). */
export function growthOptions(env: NodeJS.ProcessEnv): GrowthOptions {
  return {
    seconds: positiveInteger('BENCH_SECONDS', env.BENCH_SECONDS ?? '10'),
    connections: (env.BENCH_CONNECTIONS ?? '8,32').split(',').map((count) => positiveInteger('BENCH_CONNECTIONS', count)),
    historyCalls: positiveInteger('BENCH_HISTORY_CALLS', env.BENCH_HISTORY_CALLS ?? '200'),
  };
}

/** The value below which `share` (0 to 1) of the sorted values fall, as wrk reports p99: the nearest rank. */
export function percentile(values: number[], share: number): number {
  if (values.length === 0) throw new Error('no value to take a percentile of');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]!;
}

export interface Comparison {
  /** What is compared, as the verdict names it. */
  what: string;
  measured: number;
  reference: number;
}

export const ratioOf = ({ measured, reference }: Comparison) => measured / reference;

/** The comparisons over `allowedGrowth`, each with why, in words; empty when the run passes. */
export function failures(comparisons: Comparison[]): string[] {
  return comparisons
    .filter((comparison) => !(ratioOf(comparison) <= allowedGrowth))
    .map(
      (comparison) =>
        `${comparison.what}: ${comparison.measured.toFixed(1)} ms against ${comparison.reference.toFixed(1)} ms, ` +
        `${ratioOf(comparison).toFixed(2)}× (at most ${allowedGrowth}×)`,
    );
}
