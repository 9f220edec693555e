import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Below this, ports are for well-known services: a probe never offers them. */
const lowestOffered = 10_000;

/**
 * A port nobody listens on, for servers that cannot bind port 0 themselves. It is drawn outside the
 * kernel's ephemeral range: a port from that range (what binding port 0 gives) can be taken as the local
 * port of any outgoing connection between this probe and the server binding it, and a test run opens
 * thousands (CI once failed with EADDRINUSE on a mail sink's port that way).
 */
export async function freePort(): Promise<number> {
  const [low, high] = ephemeralPortRange();
  const below = Math.max(0, low - lowestOffered);
  const above = Math.max(0, 65_535 - high);
  for (let attempt = 0; attempt < 50 && below + above > 0; attempt++) {
    const draw = Math.floor(Math.random() * (below + above));
    const port = draw < below ? lowestOffered + draw : high + 1 + (draw - below);
    if (await bindable(port)) return port;
  }
  return kernelPort();
}

/** `count` different free ports, for a server that listens on several (two equal draws would clash). */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** `preferred` when nobody listens on it (stable URLs across restarts), else any free port. */
export async function preferredPort(preferred: number): Promise<number> {
  return (await bindable(preferred)) ? preferred : freePort();
}

/** The ports the kernel gives outgoing connections (Linux's default where it cannot be read). */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch {
    // Not Linux: assume its default.
  }
  return [32_768, 60_999];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

/** Any port the kernel calls free: the last resort when the range outside its ephemeral one is full. */
function kernelPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('could not obtain a free port'));
      });
    });
  });
}
