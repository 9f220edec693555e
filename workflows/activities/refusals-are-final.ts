import { ApplicationFailure } from '@temporalio/common';
import { Refusal } from '../../loyalty/refusal.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any activity's signature
type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/**
 * The program's refusals end an activity for good: retrying cannot change the answer, so the
 * workflow sees it at once (an ApplicationFailure of the refusal's code) instead of retrying
 * forever. Faults (a database down, a timeout) are still retried.
 */
export function refusalsAreFinal<T extends Activities>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: unknown[]) => {
        try {
          return await activity(...args);
        } catch (error) {
          if (error instanceof Refusal) throw ApplicationFailure.nonRetryable(error.message, error.code, error.details);
          throw error;
        }
      },
    ]),
  ) as T;
}
