import { afterAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ephemeralPortRange } from '../wiring/free-port.js';
import { startDevServer } from './support/temporal.js';

let env: TestWorkflowEnvironment | undefined;
afterAll(() => env?.teardown());

it("starts the tests' Temporal dev server on a port no outgoing connection can take while it starts", async () => {
  // The SDK's own pick binds port 0 and lets go, so the port comes from the ephemeral range, and the
  // CLI takes seconds to bind it on two busy cores: the race the mail sink lost once in CI.
  env = await startDevServer();
  const port = Number(env.address.split(':').at(-1));
  const [low, high] = ephemeralPortRange();
  expect(port < low || port > high, `port ${port} in ${low}-${high}`).toBe(true);
}, 120_000);
