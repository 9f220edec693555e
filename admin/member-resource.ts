import type { ActionContext, ActionRequest, ActionResponse, LayoutElement, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { AuditEntry, Member, transferKinds } from '../entities/index.js';
import { resendLastEmail, type Mailer } from '../reports/mailer.js';
import { memberHistoryCsv } from '../reports/member-data-csv.js';
import { mayRun } from './permissions.js';
import { privacyStatus, requestErasure } from '../loyalty/erasure-requests.js';
import { adjustmentAllowance, adjustmentsOf } from '../loyalty/care-adjustments.js';
import { pendingHoldsOf } from '../loyalty/holds.js';
import { careHistory, careHistoryPartners, parseCareHistoryFilter } from '../loyalty/member-care-history.js';
import { exportMemberData } from '../loyalty/member-data-export.js';
import { searchMembers } from '../loyalty/member-search.js';
import { storeLinksForCare } from '../loyalty/member-stores.js';
import { memberSummary } from '../loyalty/member-summary.js';
import { memberWithAccount } from '../loyalty/member-identity.js';
import { pendingPointsInWords } from '../loyalty/pending-points.js';
import { Refusal } from '../loyalty/refusal.js';
import { allowed, audited } from './back-office-actions.js';
import { adjustmentStatusWords, askForAdjustment, memberName, type CareServices } from './care-adjustment-resource.js';
import { forfeitedWhere } from './erasure-request-resource.js';
import { navigation, readable, staff } from './resources.js';

const showOnly = { list: false, filter: false, edit: false, show: true };
const number = new Intl.NumberFormat('en');
const minute = (at: Date) => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const signed = (points: number) => `${points > 0 ? '+' : ''}${number.format(points)}`;
const historyPerPage = 10;

/** The member's points held and not settled yet, in words. */
async function describeHolds(dataSource: DataSource, memberId: string): Promise<string> {
  const holds = await pendingHoldsOf(dataSource.manager, memberId);
  if (holds.length === 0) return 'No points held';
  return holds
    .map(
      (hold) =>
        `${number.format(hold.points)} points held since ${minute(hold.since)}${hold.reward ? ` for ${hold.reward} (${hold.redemptionStatus?.replaceAll('_', ' ')})` : ''}` +
        (hold.until ? `, given back on ${minute(hold.until)} unless it settles before` : ''),
    )
    .join('\n');
}

/** The member's care adjustments, newest first, each with where it stands. */
async function describeAdjustments(dataSource: DataSource, memberId: string): Promise<string> {
  const adjustments = await adjustmentsOf(dataSource.manager, memberId);
  if (adjustments.length === 0) return 'None yet';
  return adjustments
    .map((a) => {
      const decided = a.decidedBy ? `, decided by ${a.decidedBy}` : '';
      // A supervisor's rejection says no more than who decided; the ledger's refusal or an expiry says why.
      const why = a.outcome && !a.outcome.startsWith('rejected by') ? ` (${a.outcome})` : '';
      return `${minute(a.createdAt)}  ${signed(a.points)} points — ${adjustmentStatusWords[a.status]}${why} — ${a.reason} — asked by ${a.requestedBy}${decided}`;
    })
    .join('\n');
}

/** Half the width of the page on a wide screen, all of it on a narrow one. */
const half = { width: [1, 1, 1, 1 / 2], pr: 'xl' } as const;

/** The member's page: who they are and what they have side by side, then the stores, care's adjustments and lots, then the history. */
const memberPageLayout: LayoutElement[] = [
  [
    { flex: true, flexDirection: 'row', flexWrap: 'wrap' },
    [
      [half, ['displayName', 'externalId', 'email', 'phone', 'enrolledAt', 'personalData']],
      [half, ['balance', 'tier', 'expiringSoon', 'holds', 'pendingPoints', 'adjustments']],
      [half, ['stores']],
      [half, ['lots']],
    ],
  ],
  'history',
];

/** A whole page number from a query value (1 for anything else). */
const pageNumber = (value: unknown) => (typeof value === 'string' && /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 1);

/** Where the member's personal data stands, in words: held, an erasure waiting for approval, or erased (by whom, and the points it forfeited). */
function describePrivacy({ erasure, waiting }: Awaited<ReturnType<typeof privacyStatus>>): string {
  if (erasure) {
    const asked =
      erasure.requestedBy === 'member'
        ? 'asked for by the member from their dashboard'
        : `asked for by ${erasure.requestedBy}${erasure.approvedBy ? `, approved by ${erasure.approvedBy}` : ''}`;
    return `Erased on ${minute(erasure.erasedAt)}, ${asked}: ${number.format(erasure.pointsForfeited)} points forfeited ${forfeitedWhere[erasure.forfeitedTo]}. Why: ${erasure.reason}`;
  }
  if (waiting) {
    return `Erasure asked for by ${waiting.requestedBy} on ${minute(waiting.requestedAt)} (${waiting.reason}): waiting for a care supervisor's approval`;
  }
  return 'Held; no erasure asked for';
}

/** The member's record with where their personal data stands (`personalData` in words, `privacyState` for screens). */
async function withPrivacy(dataSource: DataSource, context: ActionContext) {
  const record = context.record!.toJSON(context.currentAdmin);
  const status = await privacyStatus(dataSource.manager, String(record.params.id));
  Object.assign(record.params, {
    personalData: describePrivacy(status),
    privacyState: status.erasure ? 'erased' : status.waiting ? 'waiting' : 'none',
  });
  return record;
}

/**
 * Members, found from the search box of every page by email, phone, a store's id for them, their
 * reference or name; a member's page adds what care needs: the balance, the tier, the stores that
 * know them, points held, care adjustments, the lots with their expiry, the history (paged and
 * filtered, with partners by name and the reason for each movement), and where their personal
 * data stands. Care adjusts their points from there, exports their data, and asks for their
 * erasure (a supervisor approves it under Erasure requests) for a request the member sent by mail.
 */
export function memberResource(
  dataSource: DataSource,
  care: Pick<CareServices, 'ledger' | 'processes'> & { mailer: Mailer },
  components: { erasureRequestForm: string; dataDownload: string; memberSearch: string; memberHistory: string; adjustPoints: string },
): ResourceWithOptions {
  const { mailer } = care;
  return {
    resource: Member,
    options: {
      navigation: navigation.members,
      listProperties: ['externalId', 'displayName', 'email', 'phone', 'enrolledAt'],
      filterProperties: ['externalId', 'email', 'phone', 'displayName'],
      showProperties: [
        'externalId',
        'displayName',
        'email',
        'phone',
        'enrolledAt',
        'personalData',
        'stores',
        'balance',
        'tier',
        'expiringSoon',
        'holds',
        'pendingPoints',
        'adjustments',
        'lots',
        'history',
      ],
      properties: {
        personalData: { type: 'textarea', isVisible: showOnly },
        stores: { type: 'textarea', isVisible: showOnly, description: 'The stores that know the member, and the id each knows them by' },
        balance: { type: 'string', isVisible: showOnly },
        tier: { type: 'string', isVisible: showOnly },
        expiringSoon: { type: 'string', isVisible: showOnly },
        holds: {
          type: 'textarea',
          isVisible: showOnly,
          description: 'Points held for a reward being shipped: out of their balance until it settles',
        },
        pendingPoints: {
          type: 'textarea',
          isVisible: showOnly,
          description: "Points in their purchases' return window: not spendable until then, cancelled by a refund before",
        },
        adjustments: { type: 'textarea', isVisible: showOnly },
        lots: { type: 'textarea', isVisible: showOnly },
        history: { type: 'string', isVisible: showOnly, components: { show: components.memberHistory } },
      },
      actions: {
        list: { isAccessible: readable('Member') },
        search: { isAccessible: readable('Member') },
        new: { isAccessible: () => false },
        find: {
          actionType: 'resource',
          icon: 'Search',
          component: components.memberSearch,
          showInDrawer: false,
          isAccessible: allowed('Member', 'find'),
          handler: async (request: ActionRequest): Promise<ActionResponse> => {
            const text = typeof request.query?.q === 'string' ? request.query.q : '';
            return { query: text, matches: await searchMembers(dataSource.manager, text) };
          },
        },
        history: {
          actionType: 'record',
          component: false,
          isVisible: false,
          isAccessible: allowed('Member', 'history'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = context.record!.toJSON(context.currentAdmin);
            const memberId = String(record.params.id);
            const query = request.query ?? {};
            const { filter, errors } = parseCareHistoryFilter(query);
            const valid = Object.keys(errors).length === 0;
            return {
              record,
              errors,
              history: valid
                ? await careHistory(dataSource.manager, memberId, filter, { page: pageNumber(query.page), perPage: historyPerPage })
                : null,
              partners: await careHistoryPartners(dataSource.manager, memberId),
              kinds: transferKinds,
            };
          },
        },
        adjustPoints: {
          actionType: 'record',
          icon: 'PlusCircle',
          component: components.adjustPoints,
          isAccessible: allowed('Member', 'adjustPoints'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = context.record!.toJSON(context.currentAdmin);
            const memberId = String(record.params.id);
            const reference = String(record.params.externalId);
            const [summary, allowance] = await Promise.all([
              memberSummary(dataSource.manager, memberId),
              adjustmentAllowance(dataSource.manager, staff(context)!.email, reference),
            ]);
            Object.assign(record.params, {
              available: summary.balance.available,
              allowanceLeft: allowance.left,
              threshold: allowance.threshold,
            });
            if (request.method !== 'post') return { record };
            const payload = request.payload ?? {};
            const asked = await askForAdjustment(dataSource, care, context, {
              memberExternalId: reference,
              points: payload.points,
              reason: payload.reason,
            });
            if ('errors' in asked) {
              const { memberExternalId: member, ...fields } = asked.errors;
              return {
                record: { ...record, errors: Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, { message }])) },
                notice: { message: member ?? 'Please correct the highlighted fields', type: 'error' },
              };
            }
            const name = memberName({ name: (record.params.displayName as string | null) ?? null, reference });
            return {
              record,
              redirectUrl: context.h.recordActionUrl({ resourceId: 'Member', recordId: memberId, actionName: 'show' }),
              notice: { ...asked.notice, message: `${asked.notice.message} (${name})` },
            };
          },
        },
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
        exportData: {
          actionType: 'record',
          icon: 'Download',
          component: components.dataDownload,
          isAccessible: allowed('Member', 'exportData'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = context.record!.toJSON(context.currentAdmin);
            if (request.method !== 'post') return { record };
            const csv = request.payload?.format === 'csv';
            const data = await exportMemberData(dataSource.manager, String(record.params.id));
            const name = `tessera-member-${data.profile.reference}`;
            const download = csv
              ? { filename: `${name}-history.csv`, type: 'text/csv', content: memberHistoryCsv(data.history) }
              : { filename: `${name}.json`, type: 'application/json', content: JSON.stringify(data, null, 2) };
            await audited(dataSource, context, 'Member', 'exportData', String(record.params.id), {
              exported: csv ? 'member history (CSV)' : 'member data (JSON)',
            });
            return { record, download, notice: { message: `Downloaded ${download.filename} (written to the audit log)`, type: 'success' } };
          },
        },
        requestErasure: {
          actionType: 'record',
          icon: 'UserX',
          variant: 'danger',
          component: components.erasureRequestForm,
          isAccessible: allowed('Member', 'requestErasure'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = await withPrivacy(dataSource, context);
            if (request.method !== 'post') return { record };
            const memberId = String(record.params.id);
            try {
              const asked = await requestErasure(dataSource.manager, {
                memberId,
                reason: String(request.payload?.reason ?? ''),
                requestedBy: staff(context)!.email,
              });
              await audited(dataSource, context, 'ErasureRequest', 'new', asked.id, { memberId, reason: asked.reason }, null);
            } catch (error) {
              if (!(error instanceof Refusal)) throw error;
              return error.field
                ? {
                    record: { ...record, errors: { [error.field]: { message: error.reason } } },
                    notice: { message: 'Please correct the highlighted fields', type: 'error' },
                  }
                : { record, notice: { message: error.reason, type: 'error' } };
            }
            return {
              record,
              redirectUrl: context.h.recordActionUrl({ resourceId: 'Member', recordId: memberId, actionName: 'show' }),
              notice: { message: "Asked: the erasure is waiting for a care supervisor's approval", type: 'success' },
            };
          },
        },
        edit: { isAccessible: () => false },
        delete: { isAccessible: () => false },
        bulkDelete: { isAccessible: () => false },
        show: {
          isAccessible: readable('Member'),
          layout: memberPageLayout,
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
            response.record.params = {
              ...response.record.params,
              personalData: describePrivacy(await privacyStatus(manager, member.id)),
              stores: (await storeLinksForCare(manager, member.id)).join('\n') || 'No store knows them yet',
              balance: `${number.format(summary.balance.available)} available (${number.format(summary.balance.held)} held, ${number.format(summary.balance.incoming)} pending)`,
              tier: summary.tier
                ? `${summary.tier.name} (×${summary.tier.multiplier}), ${number.format(summary.qualifyingPoints)} qualifying points`
                : `none yet, ${number.format(summary.qualifyingPoints)} qualifying points`,
              expiringSoon: `${number.format(summary.expiring.days30)} in 30 days, ${number.format(summary.expiring.days90)} in 90 days`,
              holds: await describeHolds(dataSource, member.id),
              pendingPoints: pendingPointsInWords(summary.pending),
              adjustments: await describeAdjustments(dataSource, member.id),
              lots: lots
                .map(
                  (l) =>
                    `${number.format(Number(l.remaining))} of ${number.format(Number(l.points))} — ${l.expiresAt ? `expires ${new Date(l.expiresAt).toISOString().slice(0, 10)}` : 'never expires'} — funded by ${l.partner ?? 'the program'}`,
                )
                .join('\n'),
            };
            return response;
          },
        },
      },
    },
  };
}
