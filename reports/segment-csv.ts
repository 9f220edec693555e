import type { SegmentMember } from '../loyalty/segments/segment-query.js';
import { csvDocument } from './csv.js';

/**
 * A segment's members as CSV for a program manager: who they are, how to reach them, where they
 * stand. Nothing else of theirs (no birthday, no history) leaves with it.
 */
export function segmentMembersCsv(members: SegmentMember[]): string {
  const day = (at: Date | null) => (at ? new Date(at).toISOString().slice(0, 10) : null);
  return csvDocument(
    ['reference', 'name', 'email', 'phone', 'tier', 'balance (points)', 'member since', 'last activity'],
    members.map((m) => [m.reference, m.name, m.email, m.phone, m.tier, m.balance, day(m.enrolledAt), day(m.lastActivityAt)]),
  );
}
