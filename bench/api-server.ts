import { Ledger } from '../loyalty/ledger/ledger.js';
import { openDataSource } from '../wiring/database.js';
import { createWebApp } from '../wiring/web-app.js';

// The partner API alone on DATABASE_URL, in its own process, for `npm run bench:api`.
const dataSource = await openDataSource(process.env.DATABASE_URL!, { poolSize: 40 });
const app = createWebApp({ health: {}, api: { dataSource, ledger: new Ledger(dataSource), rateLimitPerMinute: 1_000_000 } });
const server = app.listen(0, () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => server.close(() => dataSource.destroy().then(() => process.exit(0))));
