import type { ActionContext, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { AuditEntry, Member } from '../entities/index.js';
import { resendLastEmail, type Mailer } from '../reports/mailer.js';
import { mayRun } from './permissions.js';
import { memberHistory } from '../loyalty/member-history.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { navigation, readable, staff } from './resources.js';

const showOnly = { list: false, filter: false, edit: false, show: true };
const number = new Intl.NumberFormat('en');

/**
 * Members, found by external id, email or phone; a member's page adds what care needs: the
 * balance, the tier, the lots with their expiry and the history with the reason for each award.
 */
export function memberResource(dataSource: DataSource, mailer: Mailer): ResourceWithOptions {
  return {
    resource: Member,
    options: {
      navigation: navigation.members,
      listProperties: ['externalId', 'displayName', 'email', 'phone', 'enrolledAt'],
      filterProperties: ['externalId', 'email', 'phone', 'displayName'],
      showProperties: ['externalId', 'displayName', 'email', 'phone', 'enrolledAt', 'balance', 'tier', 'expiringSoon', 'lots', 'history'],
      properties: {
        balance: { type: 'string', isVisible: showOnly },
        tier: { type: 'string', isVisible: showOnly },
        expiringSoon: { type: 'string', isVisible: showOnly },
        lots: { type: 'textarea', isVisible: showOnly },
        history: { type: 'textarea', isVisible: showOnly },
      },
      actions: {
        list: { isAccessible: readable('Member') },
        search: { isAccessible: readable('Member') },
        new: { isAccessible: () => false },
        resendLastEmail: {
          actionType: 'record',
          component: false,
          icon: 'Mail',
          guard: "Send this member's last email again?",
          isAccessible: (context: ActionContext) => {
            const user = staff(context);
            return !!user && mayRun('Member', 'resendLastEmail', user.role);
          },
          handler: async (_request: unknown, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const email = context.record?.params.email as string | null;
            const resent = email ? await resendLastEmail(dataSource, mailer, email) : null;
            const user = staff(context);
            if (resent) {
              await dataSource.manager.insert(AuditEntry, {
                staffUserId: user?.id ?? null,
                staffEmail: user?.email ?? 'unknown',
                action: 'resendLastEmail',
                resource: 'Member',
                recordId: String(context.record!.params.id),
                before: null,
                after: { subject: resent.subject },
              });
            }
            return {
              record: context.record!.toJSON(context.currentAdmin),
              notice: resent
                ? { message: `Sent again: "${resent.subject}" to ${email}`, type: 'success' }
                : { message: email ? 'No email has been sent to this member yet' : 'This member has no email address', type: 'info' },
            };
          },
        },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        show: {
          isAccessible: readable('Member'),
          after: async (response: ActionResponse, _request: unknown, context: ActionContext) => {
            const memberId = String(context.record?.params.id ?? '');
            if (!memberId || !response.record) return response;
            const manager = dataSource.manager;
            const { member, account } = await memberWithAccount(manager, memberId);
            const summary = await memberSummary(manager, member.id);
            const lots: { remaining: string; points: string; expiresAt: Date | null; partner: string | null }[] = await manager.query(
              `SELECT l.remaining, l.points, l."expiresAt", p.name AS partner FROM point_lot l LEFT JOIN partner p ON p.id = l."fundingPartnerId"
                WHERE l."memberAccountId" = $1 AND l.remaining > 0 ORDER BY l."expiresAt" NULLS LAST LIMIT 50`,
              [account.id],
            );
            const history = await memberHistory(manager, member.id, { limit: 25 });
            response.record.params = {
              ...response.record.params,
              balance: `${number.format(summary.balance.available)} available (${number.format(summary.balance.held)} held)`,
              tier: summary.tier
                ? `${summary.tier.name} (×${summary.tier.multiplier}), ${number.format(summary.qualifyingPoints)} qualifying points`
                : `none yet, ${number.format(summary.qualifyingPoints)} qualifying points`,
              expiringSoon: `${number.format(summary.expiring.days30)} in 30 days, ${number.format(summary.expiring.days90)} in 90 days`,
              lots: lots
                .map(
                  (l) =>
                    `${number.format(Number(l.remaining))} of ${number.format(Number(l.points))} — ${l.expiresAt ? `expires ${new Date(l.expiresAt).toISOString().slice(0, 10)}` : 'never expires'} — funded by ${l.partner ?? 'the program'}`,
                )
                .join('\n'),
              history: history.entries
                .map((e) => {
                  const why = (e.explanation ?? []).map((x) => `${x.rule}: ${x.points} (${x.reason})`).join('; ');
                  return `${new Date(e.at).toISOString().slice(0, 16).replace('T', ' ')}  ${e.kind.padEnd(8)} ${e.points > 0 ? '+' : ''}${e.points}  ${e.status}${why ? ` — ${why}` : ''}`;
                })
                .join('\n'),
            };
            return response;
          },
        },
      },
    },
  };
}
