import type { ValueTransformer } from 'typeorm';

/**
 * Points are stored as BIGINT so that sums never overflow, and read back as JavaScript numbers:
 * every balance we deal in stays far below Number.MAX_SAFE_INTEGER (9·10^15 points).
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** NUMERIC coefficients (boosters, tier multipliers) read back as numbers. */
export const decimalNumber: ValueTransformer = bigintNumber;
