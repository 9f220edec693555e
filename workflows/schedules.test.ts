import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { whileTemporalWarmsUp } from './schedules.js';

/** What the client throws when the server's answer does not come in time (grpc-js's shape). */
function serviceErrorWithCode(code: number): ServiceError {
  const grpcError = Object.assign(new Error(`${code} stream terminated`), { code, details: 'stream terminated', metadata: {} });
  return new ServiceError('Failed to describe schedule', { cause: grpcError });
}

describe('waiting for a Temporal server that is still warming up', () => {
  it('calls again after a deadline or an unavailable server, and returns what the call finally gives', async () => {
    const failures = [serviceErrorWithCode(4), serviceErrorWithCode(14)];
    let calls = 0;
    const result = await whileTemporalWarmsUp(
      async () => {
        calls += 1;
        const failure = failures.shift();
        if (failure) throw failure;
        return 'registered';
      },
      5_000,
      1,
    );
    expect(result).toBe('registered');
    expect(calls).toBe(3);
  });

  it('gives up on a refusal at once, and on a busy server once its patience is spent', async () => {
    let calls = 0;
    const notFound = serviceErrorWithCode(5);
    await expect(
      whileTemporalWarmsUp(
        async () => {
          calls += 1;
          throw notFound;
        },
        5_000,
        1,
      ),
    ).rejects.toBe(notFound);
    expect(calls).toBe(1);

    const deadline = serviceErrorWithCode(4);
    await expect(
      whileTemporalWarmsUp(
        async () => {
          throw deadline;
        },
        30,
        5,
      ),
    ).rejects.toBe(deadline);
  });
});
