import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { ephemeralPortRange, freePort, freePorts } from './free-port.js';

it('hands out ports no outgoing connection can take between the probe and the server binding them', async () => {
  // A test run opens thousands of connections to PostgreSQL and Temporal; each takes a local port from
  // the ephemeral range, and one took a mail sink's port once in CI (EADDRINUSE) after the probe closed it.
  const [low, high] = ephemeralPortRange();
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  for (const port of ports) expect(port < low || port > high, `port ${port} in ${low}-${high}`).toBe(true);
  // And each can be listened on.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ports[0], '127.0.0.1', () => resolve());
  });
  await new Promise((resolve) => server.close(resolve));
});

it('hands a server that listens on several ports different ones', async () => {
  const ports = await freePorts(40);
  expect(new Set(ports).size).toBe(40);
});
