import type { DataSource } from 'typeorm';
import { MemberLink } from '../../entities/index.js';
import { authenticateApiKey } from '../../loyalty/api-keys.js';
import { openMemberSession } from '../../loyalty/member-sessions.js';

/**
 * The member's say on a debit a store asks for (`POST /members/{id}/redemptions` or `/transfers`):
 * a session the member opened, as their sign-in gives one. No header for any other request, or
 * when the store does not know the member (the API then answers as it would).
 */
export async function memberConsentHeaders(dataSource: DataSource, apiKey: string, path: string): Promise<Record<string, string>> {
  const debit = /^\/members\/([^/]+)\/(redemptions|transfers)$/.exec(path);
  if (!debit) return {};
  const store = await authenticateApiKey(dataSource.manager, apiKey);
  const link =
    store && (await dataSource.manager.findOneBy(MemberLink, { partnerId: store.partner.id, customerId: decodeURIComponent(debit[1]!) }));
  if (!link) return {};
  const { token } = await openMemberSession(dataSource.manager, { memberId: link.memberId, partnerId: null });
  return { 'member-authorization': `Bearer ${token}` };
}
