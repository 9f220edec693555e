/** PostgreSQL's error fields, wherever TypeORM or pg put them. */
export function pgError(error: unknown): { code?: string; constraint?: string } {
  if (!error || typeof error !== 'object') return {};
  const driver = (error as { driverError?: unknown }).driverError ?? error;
  const { code, constraint } = driver as { code?: unknown; constraint?: unknown };
  return {
    code: typeof code === 'string' ? code : undefined,
    constraint: typeof constraint === 'string' ? constraint : undefined,
  };
}

/** Deadlock or serialization failure: the whole transaction may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const { code } = pgError(error);
  return code === '40P01' || code === '40001';
}
