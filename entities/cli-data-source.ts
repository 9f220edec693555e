import { createDataSource } from './data-source.js';

// What TypeORM's CLI loads (`npm run migration:generate` points it at a throwaway cluster).
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must be set for the TypeORM CLI');
export default createDataSource({ url });
