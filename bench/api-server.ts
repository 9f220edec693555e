import { Ledger } from '../loyalty/ledger/ledger.js';
import { listenForConfigurationChanges } from '../wiring/configuration-listener.js';
import { openDataSource } from '../wiring/database.js';
import { createWebApp } from '../wiring/web-app.js';

// The partner API alone on DATABASE_URL, in its own process, for `npm run bench:api`: caches as a web process does.
const dataSource = await openDataSource(process.env.DATABASE_URL!, { poolSize: Number(process.env.BENCH_POOL_SIZE ?? 40) });
const listener = await listenForConfigurationChanges(dataSource, process.env.DATABASE_DIRECT_URL ?? process.env.DATABASE_URL!);
const app = createWebApp({ health: {}, api: { dataSource, ledger: new Ledger(dataSource), rateLimitPerMinute: 1_000_000_000 } });
const server = app.listen(0, () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () =>
  server.close(() =>
    listener
      .close()
      .then(() => dataSource.destroy())
      .then(() => process.exit(0)),
  ),
);
