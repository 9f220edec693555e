import { ApplicationFailure } from '@temporalio/common';
import { expect, it } from 'vitest';
import { Refusal } from '../../loyalty/refusal.js';
import { refusalsAreFinal } from './refusals-are-final.js';

const activities = refusalsAreFinal({
  refuse: async () => {
    throw new Refusal('not_reversible', 'it was already reversed in full');
  },
  fail: async () => {
    throw new Error('connection reset');
  },
  succeed: async (a: number, b: number) => a + b,
});

it('turns a refusal into a failure Temporal does not retry, with its code', async () => {
  const failure = await activities.refuse().catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ nonRetryable: true, type: 'not_reversible', message: 'it was already reversed in full' });
});

it('leaves faults retryable and results as they are', async () => {
  await expect(activities.fail()).rejects.toThrow('connection reset');
  await expect(activities.fail().catch((error: unknown) => error)).resolves.not.toBeInstanceOf(ApplicationFailure);
  expect(await activities.succeed(2, 3)).toBe(5);
});
