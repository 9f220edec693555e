import {
  flat,
  ValidationError,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type After,
  type Before,
  type ResourceOptions,
  type ResourceWithOptions,
} from 'adminjs';
import type { BaseEntity, DataSource } from 'typeorm';
import {
  ApiKey,
  AuditEntry,
  birthdayChannels,
  Bonus,
  Booster,
  EarningRule,
  Invoice,
  LedgerTransfer,
  MemberEvent,
  Partner,
  PointOfSale,
  PointPackage,
  ProgramSettings,
  Redemption,
  redemptionStatuses,
  type RedemptionStatus,
  Reward,
  salesChannels,
  StaffUser,
  staffRoles,
  Tier,
  WebhookDelivery,
  WebhookEndpoint,
  webhookEvents,
} from '../entities/index.js';
import { checkBirthdaySettings } from '../loyalty/birthdays.js';
import { checkBooster, checkEarningRule, checkTier, type FieldErrors } from '../loyalty/earning/configuration-checks.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { hashPassword } from './passwords.js';
import { canRead, canWrite, mayRun } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';
import { campaignResource } from './campaign-resource.js';
import { careAdjustments, type CareServices } from './care-adjustment-resource.js';
import { erasureRequests } from './erasure-request-resource.js';
import { memberResource } from './member-resource.js';
import { companyFundingResource, companyResource } from './company-resources.js';
import { fulfilmentOrders } from './fulfilment-order-resource.js';
import type { Mailer } from '../reports/mailer.js';
import {
  apiKeyActions,
  cancelFulfilmentAction,
  partnerActions,
  reverseTransferAction,
  sellPackageAction,
  webhookEndpointActions,
} from './back-office-actions.js';
import { serverWrites } from './scoped-resource.js';
import { checkStaffUser, staffRoleLabels } from '../loyalty/staff-accounts.js';
import { checkWebhookEndpoint, webhookEventLabels, type WebhookUrlPolicy } from '../loyalty/webhook-endpoints.js';

export const staff = (context: ActionContext) => context.currentAdmin as unknown as StaffSession | undefined;

/** Who may read a resource; which of its records they see is the adapter's business (ScopedResource). */
export function readable(resource: string) {
  return (context: ActionContext) => {
    const user = staff(context);
    return !!user && canRead(resource, user.role);
  };
}

function writable(resource: string) {
  return (context: ActionContext) => {
    const user = staff(context);
    return !!user && canWrite(resource, user.role);
  };
}

/** Records every change a staff member makes, with the record before and after. */
export function audit(dataSource: DataSource, resource: string, action: string): { before: Before; after: After<ActionResponse> } {
  return {
    before: async (request, context) => {
      context.auditBefore = context.record ? { ...context.record.params } : null;
      return request;
    },
    after: async (response, request, context) => {
      const user = staff(context);
      const { record, notice } = response as { record?: { params?: Record<string, unknown>; errors?: object }; notice?: { type?: string } };
      // A refused change (errors under fields, or an error notice: a deletion the database refused) changed nothing.
      const refused = (record?.errors && Object.keys(record.errors).length > 0) || notice?.type === 'error';
      if (request.method === 'post' && !refused) {
        // Only the record's own properties: nothing a form sent besides (a typed password, a secret).
        const properties = new Set(context.resource.properties().map((property) => property.path()));
        const after = Object.fromEntries(Object.entries(record?.params ?? {}).filter(([key]) => properties.has(key.split('.')[0]!)));
        await dataSource.manager.insert(AuditEntry, {
          staffUserId: user?.id ?? null,
          staffEmail: user?.email ?? 'unknown',
          action,
          resource,
          recordId: (record?.params?.id as string | undefined) ?? (context.auditBefore as { id?: string } | null)?.id ?? null,
          before: (context.auditBefore as object | null) ?? null,
          after: action === 'delete' ? null : after,
        });
        // Rules, boosters, bonuses, tiers and settings are cached by the event path: drop the copy.
        forgetProgramConfiguration(dataSource);
      }
      return response;
    },
  };
}

/** Refuses a form the program's checks reject, showing each message under its field. */
export function checked(check: (values: Record<string, unknown>) => FieldErrors | Promise<FieldErrors>): Before {
  return async (request) => {
    if (request.method !== 'post') return request;
    const errors = await check(request.payload ?? {});
    if (Object.keys(errors).length > 0) {
      throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }])), {
        message: 'Please correct the highlighted fields',
      });
    }
    return request;
  };
}

/**
 * The values a form's check reads: what the form sent, and what is stored for the fields it did not
 * send (an edit). A list (`events.0`, `events.1`) is taken whole from one or the other.
 */
function formValues(request: ActionRequest, context: ActionContext, paths: string[]): Record<string, unknown> {
  const payload = request.payload ?? {};
  const stored = context.record?.params ?? {};
  return Object.fromEntries(
    paths.map((path) => {
      const sent = Object.keys(payload).some((key) => key === path || key.startsWith(`${path}.`));
      return [path, flat.get(sent ? payload : stored, path)];
    }),
  );
}

/**
 * The form sends JSON columns as flat strings (`formula.points`): drop the empty ones and turn
 * the numeric ones into numbers, so the stored JSON has the shape the program's rules read.
 */
function typedJson(prefixes: string[], numeric: string[]): Before {
  return async (request) => {
    if (request.method !== 'post' || !request.payload) return request;
    const payload: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(request.payload)) {
      const inJson = prefixes.some((prefix) => key.startsWith(`${prefix}.`));
      if (inJson && (value === '' || value === null)) continue;
      payload[key] = inJson && numeric.includes(key) ? Number(value) : value;
    }
    return { ...request, payload };
  };
}

const showAndEdit = { list: false, filter: false, show: true, edit: true };

/** Where a redemption stands, as staff read it. */
export const redemptionStatusLabels: Record<RedemptionStatus, string> = {
  completed: 'completed',
  awaiting_fulfilment: 'awaiting fulfilment',
  ordered: 'ordered',
  fulfilled: 'fulfilled',
  cancelled: 'cancelled',
  needs_care: 'needs care: delivered after its cancellation',
};

export const navigation = {
  program: { name: 'Program', icon: 'Settings' },
  partners: { name: 'Partners', icon: 'Briefcase' },
  members: { name: 'Members & care', icon: 'Users' },
  fulfilment: { name: 'Fulfilment', icon: 'Package' },
  ledger: { name: 'Ledger', icon: 'Book' },
  staff: { name: 'Staff', icon: 'Shield' },
};

/** The back office's resources, with who may do what on each, enforced on the server. */
export function backOfficeResources(
  dataSource: DataSource,
  care: CareServices & { mailer: Mailer },
  publicUrl: string,
  components: {
    reportForm: string;
    shownOnce: string;
    newWithSecret: string;
    choices: string;
    erasureRequestForm: string;
    dataDownload: string;
    campaignBuilder: string;
    memberSearch: string;
    memberHistory: string;
    adjustPoints: string;
    memberLink: string;
  },
  webhookUrls: WebhookUrlPolicy,
): ResourceWithOptions[] {
  const resource = (
    entity: typeof BaseEntity,
    name: string,
    options: ResourceOptions & { readOnly?: boolean; checks?: Before; prepare?: Before } = {},
  ): ResourceWithOptions => {
    const { readOnly = false, checks, prepare, ...rest } = options;
    const guarded = (action: string) => {
      const { before, after } = audit(dataSource, name, action);
      return { before: [checks, prepare, before].filter((hook): hook is Before => hook !== undefined), after };
    };
    const write = readOnly ? () => false : writable(name);
    return {
      resource: entity,
      options: {
        ...rest,
        actions: {
          list: { isAccessible: readable(name) },
          search: { isAccessible: readable(name) },
          show: { isAccessible: readable(name) },
          new: { isAccessible: write, ...guarded('new') },
          edit: { isAccessible: write, ...guarded('edit') },
          delete: { isAccessible: write, ...audit(dataSource, name, 'delete') },
          bulkDelete: { isAccessible: () => false },
          ...(rest.actions as object),
        } as ResourceOptions['actions'],
      },
    };
  };

  const birthdayFields = ['birthdayBonusPoints', 'birthdayDaysBefore', 'birthdayDaysAfter', 'birthdayChannel'];
  const programSettingsChecks: Before = (request, context) =>
    checked(() => checkBirthdaySettings(formValues(request, context, birthdayFields)))(request, context);

  const webhookEndpointChecks: Before = (request, context) =>
    checked(() => checkWebhookEndpoint(formValues(request, context, ['url', 'events']), webhookUrls))(request, context);

  return [
    resource(Partner, 'Partner', {
      navigation: navigation.partners,
      listProperties: ['code', 'name', 'kind', 'contactEmail', 'createdAt'],
      actions: partnerActions(dataSource, publicUrl, components.shownOnce),
    }),
    resource(PointOfSale, 'PointOfSale', {
      navigation: navigation.partners,
      properties: {
        channel: { availableValues: salesChannels.map((value) => ({ value, label: value === 'web' ? 'web shop' : value })) },
      },
    }),
    resource(ApiKey, 'ApiKey', {
      navigation: navigation.partners,
      readOnly: true,
      listProperties: ['prefix', 'name', 'partnerId', 'createdAt', 'lastUsedAt', 'revokedAt'],
      actions: apiKeyActions(dataSource, components.shownOnce),
    }),
    resource(PointPackage, 'PointPackage', { navigation: navigation.partners }),
    resource(Invoice, 'Invoice', {
      navigation: navigation.partners,
      readOnly: true,
      listProperties: ['number', 'partnerId', 'points', 'amountCents', 'currency', 'createdAt'],
      editProperties: ['partnerId', 'packageId', 'purchaseKey'],
      properties: { purchaseKey: { description: 'Optional: your order reference; selling twice with one reference sells once' } },
      actions: { new: sellPackageAction(dataSource, care.ledger) },
    }),
    resource(EarningRule, 'EarningRule', {
      navigation: navigation.program,
      listProperties: ['name', 'priority', 'stacking', 'active', 'validFrom', 'validTo'],
      properties: {
        formula: { type: 'mixed', description: 'What earns points: fill the fields of the kind chosen.' },
        'formula.kind': {
          availableValues: ['per_amount', 'per_product', 'per_category', 'per_visit', 'per_action'].map((v) => ({
            value: v,
            label: v.replace('_', ' '),
          })),
        },
        'formula.pointsPerUnit': { type: 'number', description: 'per amount / per category: points per currency unit' },
        'formula.rounding': { availableValues: ['down', 'up', 'nearest'].map((v) => ({ value: v, label: v })) },
        'formula.reference': { type: 'string', description: 'per product: the product reference' },
        'formula.pointsPerItem': { type: 'number', description: 'per product: points per item' },
        'formula.category': { type: 'string', description: 'per category: the category (section)' },
        'formula.points': { type: 'number', description: 'per visit / per action: points each time' },
        'formula.actionType': { type: 'string', description: 'per action: registration, referral, review, social_share, ... or your own' },
        caps: { type: 'mixed', isVisible: showAndEdit },
        'caps.perEvent': { type: 'number' },
        'caps.perMemberPerDay': { type: 'number' },
        'caps.perMemberPerMonth': { type: 'number' },
        stacking: {
          availableValues: [
            { value: 'stack', label: 'stack with the others' },
            { value: 'best_only', label: 'only the best of the best-only rules' },
          ],
        },
      },
      checks: checked(checkEarningRule),
      prepare: typedJson(
        ['formula', 'caps'],
        [
          'formula.pointsPerUnit',
          'formula.pointsPerItem',
          'formula.points',
          'caps.perEvent',
          'caps.perMemberPerDay',
          'caps.perMemberPerMonth',
        ],
      ),
    }),
    resource(Booster, 'Booster', {
      navigation: navigation.program,
      listProperties: ['name', 'coefficient', 'active', 'validFrom', 'validTo'],
      properties: {
        target: { type: 'mixed', description: 'Fill one: the action type, the product reference or the category the booster multiplies.' },
        'target.actionType': { type: 'string' },
        'target.reference': { type: 'string' },
        'target.category': { type: 'string' },
      },
      checks: checked(checkBooster),
      prepare: typedJson(['target'], []),
      actions: {
        scheduleWindow: {
          actionType: 'record',
          component: false,
          icon: 'Clock',
          guard: 'Run this booster over its period: on at the start (members are told), off at the end?',
          isAccessible: (context: ActionContext) => {
            const user = staff(context);
            return (
              !!user &&
              mayRun('Booster', 'scheduleWindow', user.role) &&
              !!context.record?.params.validFrom &&
              !!context.record?.params.validTo
            );
          },
          handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => {
            const params = context.record!.params;
            if (!care.boosterWindows) throw new Error('Booster windows need the Temporal client');
            await care.boosterWindows.schedule({
              boosterId: String(params.id),
              startsAt: new Date(String(params.validFrom)).toISOString(),
              endsAt: new Date(String(params.validTo)).toISOString(),
            });
            return {
              record: context.record!.toJSON(context.currentAdmin),
              notice: { message: 'Scheduled: the booster switches on at its start', type: 'success' },
            };
          },
        },
      },
    }),
    resource(Bonus, 'Bonus', {
      navigation: navigation.program,
      listProperties: ['name', 'moment', 'points', 'active'],
      properties: {
        goal: { type: 'mixed', description: 'For goal bonuses: N events of a type within D days' },
        'goal.eventType': { type: 'string' },
        'goal.count': { type: 'number' },
        'goal.withinDays': { type: 'number' },
      },
      prepare: typedJson(['goal'], ['goal.count', 'goal.withinDays']),
    }),
    resource(Tier, 'Tier', { navigation: navigation.program, checks: checked(checkTier) }),
    resource(ProgramSettings, 'ProgramSettings', {
      navigation: navigation.program,
      properties: {
        expiryPolicy: {
          type: 'mixed',
          description: 'period (months), fixed_date (month, day, yearsAfter), anniversary (minimumMonths) or never',
        },
        'expiryPolicy.mode': {
          availableValues: ['period', 'fixed_date', 'anniversary', 'never'].map((v) => ({ value: v, label: v.replace('_', ' ') })),
        },
        'expiryPolicy.months': { type: 'number' },
        'expiryPolicy.month': { type: 'number' },
        'expiryPolicy.day': { type: 'number' },
        'expiryPolicy.yearsAfter': { type: 'number' },
        'expiryPolicy.minimumMonths': { type: 'number' },
        birthdayGreetings: { description: 'Send members a birthday message, on their day in their time zone, once a year' },
        birthdayBonusPoints: { type: 'number', description: 'Points the program gives with the birthday message; 0 for a message alone' },
        birthdayDaysBefore: { type: 'number', description: 'Celebrate this many days before the birthday (0: on the day), 0 to 31' },
        birthdayDaysAfter: { type: 'number', description: 'Runs missed until then still celebrate up to this many days after it, 0 to 31' },
        birthdayChannel: {
          availableValues: birthdayChannels.map((value) => ({
            value,
            label: { email: 'email', sms: 'text message', email_or_sms: 'email, else text message' }[value],
          })),
          description: 'How the birthday message goes; members who turned it off there get the bonus without it',
        },
        erasureForfeiture: {
          availableValues: [
            { value: 'breakage', label: 'to breakage, each lot attributed to its funder' },
            { value: 'funders', label: 'back to the wallets of the partners who funded them' },
          ],
          description: "Where the points of a member who is erased go (the program's own points go to breakage either way)",
        },
      },
      checks: programSettingsChecks,
      prepare: typedJson(
        ['expiryPolicy'],
        ['expiryPolicy.months', 'expiryPolicy.month', 'expiryPolicy.day', 'expiryPolicy.yearsAfter', 'expiryPolicy.minimumMonths'],
      ),
    }),
    resource(Reward, 'Reward', {
      navigation: navigation.program,
      listProperties: ['code', 'name', 'pointsPrice', 'stock', 'needsFulfilment', 'available'],
    }),
    campaignResource(dataSource, care.processes, components.campaignBuilder),
    memberResource(dataSource, care, components),
    companyResource(dataSource),
    companyFundingResource(dataSource, care.ledger),
    resource(MemberEvent, 'MemberEvent', {
      navigation: navigation.members,
      readOnly: true,
      listProperties: ['occurredAt', 'type', 'memberId', 'partnerId', 'points', 'bonusPoints'],
    }),
    resource(Redemption, 'Redemption', {
      navigation: navigation.members,
      readOnly: true,
      listProperties: ['createdAt', 'memberId', 'rewardId', 'quantity', 'points', 'status'],
      properties: {
        status: {
          availableValues: redemptionStatuses.map((value) => ({ value, label: redemptionStatusLabels[value] })),
        },
        outcome: { type: 'textarea' },
      },
      sort: { sortBy: 'createdAt', direction: 'desc' },
      actions: { cancelFulfilment: cancelFulfilmentAction(dataSource, care.fulfilment) },
    }),
    fulfilmentOrders(dataSource, { ledger: care.ledger, fulfilment: care.fulfilment, reportForm: components.reportForm }),
    resource(LedgerTransfer, 'LedgerTransfer', {
      navigation: navigation.ledger,
      readOnly: true,
      listProperties: ['seq', 'createdAt', 'kind', 'phase', 'amount', 'debitAccountId', 'creditAccountId'],
      sort: { sortBy: 'seq', direction: 'desc' },
      actions: { reverse: reverseTransferAction(dataSource, care.ledger) },
    }),
    resource(StaffUser, 'StaffUser', {
      navigation: navigation.staff,
      listProperties: ['email', 'name', 'role', 'partnerId', 'createdAt'],
      editProperties: ['email', 'name', 'role', 'partnerId', 'password'],
      properties: {
        role: { availableValues: staffRoles.map((role) => ({ value: role, label: staffRoleLabels[role] })) },
        partnerId: { type: 'reference', reference: 'Partner', description: 'Partner users only: the partner whose data they see' },
        password: { type: 'password', isVisible: { list: false, show: false, edit: true, filter: false } },
      },
      // The role and the partner are checked together, with what is stored when only one changes.
      checks: (request, context) =>
        checked((values) =>
          checkStaffUser(
            dataSource.manager,
            { ...context.record?.params, ...values },
            { id: context.record?.params.id as string | undefined },
          ),
        )(request, context),
      prepare: hashTypedPassword,
    }),
    resource(AuditEntry, 'AuditEntry', { navigation: navigation.staff, readOnly: true, sort: { sortBy: 'at', direction: 'desc' } }),
    careAdjustments(dataSource, care, components),
    erasureRequests(dataSource, care.ledger),
    resource(WebhookEndpoint, 'WebhookEndpoint', {
      navigation: navigation.partners,
      listProperties: ['url', 'partnerId', 'events', 'active', 'createdAt'],
      editProperties: ['partnerId', 'url', 'events', 'active'],
      properties: {
        partnerId: { type: 'reference', reference: 'Partner' },
        url: {
          description: webhookUrls.localAddresses
            ? 'Where deliveries are POSTed: an https:// or http:// address'
            : "Where deliveries are POSTed: a public https:// address of the partner's",
        },
        events: {
          availableValues: webhookEvents.map((value) => ({ value, label: webhookEventLabels[value] })),
          components: { edit: components.choices, list: components.choices, show: components.choices },
          isVisible: { list: true, show: true, edit: true, filter: false },
          description: 'The events the partner hears about at this address',
        },
      },
      checks: webhookEndpointChecks,
      actions: webhookEndpointActions(dataSource, components, webhookEndpointChecks),
    }),
    resource(WebhookDelivery, 'WebhookDelivery', {
      navigation: navigation.partners,
      readOnly: true,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'event', 'status', 'attempts', 'lastStatusCode', 'lastError', 'deliveredAt'],
    }),
  ];
}

/**
 * The form's `password` becomes the stored hash (written by the server, never echoed); an empty
 * one leaves the password as it was. An empty partner is none; an email is kept without the spaces
 * around it.
 */
const hashTypedPassword: Before = async (request, context) => {
  const { password, ...payload } = request.payload ?? {};
  if (typeof password === 'string' && password.length > 0) serverWrites(context).passwordHash = await hashPassword(password);
  if (payload.partnerId === '') payload.partnerId = null;
  if (typeof payload.email === 'string') payload.email = payload.email.trim();
  return { ...request, payload };
};
