import { createServer } from 'node:net';

/** Asks the kernel for a port nobody listens on, for servers that cannot bind port 0 themselves. */
export function freePort(): Promise<number> {
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

/** `preferred` when nobody listens on it (stable URLs across restarts), else any free port. */
export function preferredPort(preferred: number): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolvePort(freePort()));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolvePort(preferred)));
  });
}
