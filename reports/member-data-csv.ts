import type { ExportedHistoryEntry } from '../loyalty/member-data-export.js';
import { csvDocument } from './csv.js';

/** A member's history as CSV (the "Download my data" file beside the JSON): one line per movement. */
export function memberHistoryCsv(history: ExportedHistoryEntry[]): string {
  return csvDocument(
    ['date', 'kind', 'points', 'status', 'store', 'reward', 'description'],
    history.map((entry) => [entry.at.toISOString(), entry.kind, entry.points, entry.status, entry.store, entry.reward, entry.description]),
  );
}
