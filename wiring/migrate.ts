import { loadConfig } from './config.js';
import { openDataSource, provideDatabase } from './database.js';

// `npm run migrate`: applies the committed migrations to DATABASE_DIRECT_URL, else DATABASE_URL (or the embedded cluster).
const config = loadConfig();
const database = await provideDatabase(config);
const dataSource = await openDataSource(database.url, { directUrl: config.databaseDirectUrl });
const applied = await dataSource.query(`SELECT name FROM schema_migration ORDER BY id`);
console.log(`Schema up to date: ${applied.length} migration(s) applied.`);
await dataSource.destroy();
await database.embedded?.stop();
