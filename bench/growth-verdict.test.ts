import { describe, expect, it } from 'vitest';
import { failures, growthOptions, percentile } from './growth-verdict.js';

describe('growthOptions', () => {
  it('defaults to 10 s runs at 8 and 32 connections and 200 calls per history page', () => {
    expect(growthOptions({})).toEqual({ seconds: 10, connections: [8, 32], historyCalls: 200 });
  });

  it('reads the environment', () => {
    expect(growthOptions({ BENCH_SECONDS: '30', BENCH_CONNECTIONS: '1, 64', BENCH_HISTORY_CALLS: '5' })).toEqual({
      seconds: 30,
      connections: [1, 64],
      historyCalls: 5,
    });
  });

  it('refuses what is not a whole number above 0, naming the variable', () => {
    expect(() => growthOptions({ BENCH_SECONDS: '1e2' })).toThrow('BENCH_SECONDS must be a whole number above 0, not "1e2"');
    expect(() => growthOptions({ BENCH_CONNECTIONS: '8,,32' })).toThrow('BENCH_CONNECTIONS must be a whole number above 0, not ""');
    expect(() => growthOptions({ BENCH_HISTORY_CALLS: '0' })).toThrow('BENCH_HISTORY_CALLS must be a whole number above 0');
  });
});

describe('percentile', () => {
  it('takes the nearest rank, as wrk does', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it('refuses no values', () => {
    expect(() => percentile([], 0.5)).toThrow('no value');
  });
});

describe('failures', () => {
  it('passes a figure up to 1.2 times its reference', () => {
    expect(failures([{ what: 'p99 at 32 connections', measured: 120, reference: 100 }])).toEqual([]);
  });

  it('says which figure grew, by how much, against what', () => {
    expect(
      failures([
        { what: 'p99 at 8 connections', measured: 110, reference: 100 },
        { what: 'p99 at 32 connections', measured: 130, reference: 100 },
      ]),
    ).toEqual(['p99 at 32 connections: 130.0 ms against 100.0 ms, 1.30× (at most 1.2×)']);
  });

  it('fails a figure that could not be compared', () => {
    expect(failures([{ what: 'history page 100', measured: Number.NaN, reference: 2 }])).toHaveLength(1);
  });
});
