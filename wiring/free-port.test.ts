import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freePort } from './free-port.js';

/** Where the kernel takes the local ports of outgoing connections (Linux's own default if unreadable). */
function ephemeralRange(): [number, number] {
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return [low ?? 32768, high ?? 60999];
}

it('hands out ports no outgoing connection can take between the probe and the server binding them', async () => {
  // A test run opens thousands of connections to PostgreSQL and Temporal; each takes a local port from
  // the ephemeral range, and one took a mail sink's port once in CI (EADDRINUSE) after the probe closed it.
  const [low, high] = ephemeralRange();
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
