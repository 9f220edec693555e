// Rewritten by `npm run migration:generate`: the migrations, oldest first.
import { Ledger1795558128893 } from './1795558128893-Ledger.js';

export const migrations = [Ledger1795558128893];
