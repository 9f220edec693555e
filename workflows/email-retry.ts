import type { ActivityOptions } from '@temporalio/workflow';

/**
 * For an email whose business step is already done: wait out a mail server that is down, for
 * about a day, rather than lose the email or fail the workflow early.
 */
export const emailActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour', maximumAttempts: 30 },
};
