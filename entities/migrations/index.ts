// Rewritten by `npm run migration:generate`: the migrations, oldest first.
import { Ledger1795559634665 } from './1795559634665-Ledger.js';

export const migrations = [Ledger1795559634665];
