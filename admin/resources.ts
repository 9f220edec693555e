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
import type { BaseEntity, DataSource, EntityMetadata } from 'typeorm';
import {
  ApiKey,
  AuditEntry,
  Bonus,
  Booster,
  EarningRule,
  Invoice,
  LedgerTransfer,
  MemberEvent,
  Partner,
  partnerKinds,
  PointOfSale,
  PointPackage,
  ProgramSettings,
  Redemption,
  redemptionStatuses,
  type RedemptionStatus,
  Reward,
  SettlementStatement,
  StaffUser,
  staffRoles,
  Tier,
  type TransferKind,
  type TransferPhase,
  WebhookDelivery,
  WebhookEndpoint,
  webhookEvents,
} from '../entities/index.js';
import { checkTierForm } from '../loyalty/tier-checks.js';
import { emblemLabels } from '../loyalty/engagement/emblems.js';
import { checkPointPackage, checkReward } from '../loyalty/catalog-checks.js';
import { currencies, parsePrice, typedPrice } from '../loyalty/money.js';
import { checkPartner, checkPointOfSale, partnerKindLabels, partnerProblem, salesChannelLabels } from '../loyalty/partner-checks.js';
import {
  birthdayChannelLabels,
  checkProgramSettings,
  erasureForfeitureLabels,
  expiryModeLabels,
  describeExpiryPolicy,
  refundShortfallLabels,
} from '../loyalty/program-settings-form.js';
import { checkBooster, checkEarningRule, type FieldErrors } from '../loyalty/earning/configuration-checks.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { programSettings } from '../loyalty/earning/program-settings.js';
import { hashPassword } from './passwords.js';
import { canRead, canWrite, mayRun } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';
import { campaignResource } from './campaign-resource.js';
import { segmentResource } from './segment-resource.js';
import { challengeResource } from './challenge-resource.js';
import { badgeResource } from './badge-resource.js';
import { leaderboardResource } from './leaderboard-resource.js';
import { instantWinResource } from './instant-win-resource.js';
import { receiptResource } from './receipt-resource.js';
import { messageCampaignResource } from './message-campaign-resource.js';
import { settlementPresentation, settlementStatementOptions } from './settlement-resource.js';
import { CreditProgram, ExchangeRate, Payment, paymentStatuses, type PaymentStatus } from '../entities/index.js';
import { checkCreditProgram, checkExchangeRate } from '../loyalty/store-credit/credit-program-checks.js';
import { careAdjustments, type CareServices } from './care-adjustment-resource.js';
import { erasureRequests } from './erasure-request-resource.js';
import { memberResource } from './member-resource.js';
import { companyFundingResource, companyResource } from './company-resources.js';
import { fundingSourceResource } from './funding-source-resource.js';
import { fulfilmentOrders } from './fulfilment-order-resource.js';
import type { Mailer } from '../reports/mailer.js';
import {
  apiKeyActions,
  cancelFulfilmentAction,
  invoicePdfAction,
  onboardPartnerAction,
  partnerActions,
  reverseTransferAction,
  sellPackageAction,
  webhookEndpointActions,
} from './back-office-actions.js';
import { serverWrites } from './scoped-resource.js';
import { checkStaffUser, describeSignIn, isLocked, signInStates, staffRoleLabels, unlockStaffAccount } from '../loyalty/staff-accounts.js';
import { allowed, audited } from './back-office-actions.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { reinviteStaffUser } from '../loyalty/staff-invitations.js';
import { presented, type Presentation } from './presentation.js';
import { auditChanges, basketLines, detailLines, explanationLines, requester, withoutSecrets } from './readable-details.js';
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
          before: withoutSecrets((context.auditBefore as object | null) ?? null),
          after: action === 'delete' ? null : withoutSecrets(after),
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
 * send (an edit), or the column's default (a new record: what the database will store). A list
 * (`events.0`, `events.1`) is taken whole from one or the other.
 */
function formValues(
  request: ActionRequest,
  context: ActionContext,
  paths: string[],
  defaults: Record<string, unknown> = {},
): Record<string, unknown> {
  const payload = request.payload ?? {};
  const stored = context.record?.params ?? defaults;
  return Object.fromEntries(
    paths.map((path) => {
      const sent = Object.keys(payload).some((key) => key === path || key.startsWith(`${path}.`));
      return [path, flat.get(sent ? payload : stored, path)];
    }),
  );
}

/** The values the database gives the columns a new record leaves out, as a form would send them. */
function columnDefaults(metadata: EntityMetadata): Record<string, unknown> {
  const defaults = metadata.columns
    .filter((column) => column.default !== undefined && typeof column.default !== 'function')
    .map((column) => [column.propertyPath, column.default] as const);
  return flat.flatten(Object.fromEntries(defaults));
}

/**
 * A form's values as the program reads them: text without the spaces around it, an emptied
 * optional field as none, and a box left unticked on a new record as unticked (a form sends
 * nothing for a box nobody touched, and the column's default would tick it).
 */
function tidied(metadata: EntityMetadata): Before {
  return async (request, context) => {
    if (request.method !== 'post' || !request.payload) return request;
    const payload = { ...request.payload };
    for (const column of metadata.columns) {
      const path = column.propertyPath;
      const value = payload[path];
      if (typeof value === 'string') payload[path] = value.trim() === '' && column.isNullable ? null : value.trim();
      if (!context.record && column.type === 'boolean' && !(path in payload)) payload[path] = false;
    }
    return { ...request, payload };
  };
}

/** A form's check over its fields, the record it edits known: what is wrong, under each field. */
export interface FormCheck {
  fields: string[];
  check: (values: Record<string, unknown>, editing: { id?: string }) => FieldErrors | Promise<FieldErrors>;
}

function formCheck({ fields, check }: FormCheck, metadata: EntityMetadata): Before {
  const defaults = columnDefaults(metadata);
  return (request, context) =>
    checked(() => check(formValues(request, context, fields, defaults), { id: context.record?.params.id as string | undefined }))(
      request,
      context,
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

/** Where a payment at a checkout stands, as staff read it. */
export const paymentStatusLabels: Record<PaymentStatus, string> = {
  authorized: 'authorized: held for the store',
  captured: 'captured',
  partially_refunded: 'partly refunded',
  refunded: 'refunded',
  voided: 'voided by the store',
  expired: 'expired: given back',
};

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
    campaignRejectionForm: string;
    memberSearch: string;
    memberHistory: string;
    adjustPoints: string;
    memberLink: string;
    readableValue: string;
    campaignResults: string;
    segmentForm: string;
    segmentExport: string;
    partnerOnboarding: string;
    invoicePdf: string;
    widgetSnippet: string;
    fundingAllocation: string;
    liabilityReport: string;
    settlementLines: string;
    settlementDownload: string;
    receiptReview: string;
    wallClockInput: string;
    messageCampaignResults: string;
  },
  webhookUrls: WebhookUrlPolicy,
): ResourceWithOptions[] {
  const resource = (
    entity: typeof BaseEntity,
    name: string,
    options: ResourceOptions & { readOnly?: boolean; form?: FormCheck; checks?: Before; prepare?: Before } = {},
  ): ResourceWithOptions => {
    const { readOnly = false, form, checks, prepare, ...rest } = options;
    const metadata = dataSource.getMetadata(entity);
    const guarded = (action: string) => {
      const { before, after } = audit(dataSource, name, action);
      const hooks = [tidied(metadata), form && formCheck(form, metadata), checks, prepare, before];
      return { before: hooks.filter((hook): hook is Before => hook !== undefined), after };
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
  const manager = dataSource.manager;
  const choices = <T extends string>(labels: Record<T, string>) =>
    Object.entries<string>(labels).map(([value, label]) => ({ value, label }));
  const editOnly = { list: false, filter: false, show: false, edit: true };
  const listAndShow = { list: true, filter: false, show: true, edit: false };
  const showOnly = { list: false, filter: false, show: true, edit: false };
  const closed = { isAccessible: () => false };

  const webhookEndpointMetadata = dataSource.getMetadata(WebhookEndpoint);
  const webhookEndpointForm = formCheck(
    {
      fields: ['partnerId', 'url', 'events'],
      check: async (values) => {
        const partner = await partnerProblem(manager, values.partnerId);
        return { ...checkWebhookEndpoint(values, webhookUrls), ...(partner ? { partnerId: partner } : {}) };
      },
    },
    webhookEndpointMetadata,
  );
  // Its new action is its own (it makes the signing secret): the form is tidied there too.
  const webhookEndpointChecks: Before = async (request, context) =>
    webhookEndpointForm(await tidied(webhookEndpointMetadata)(request, context), context);

  /** How each of these resources is read (see presented); the others are shown as AdminJS does. */
  const presentations: Record<string, Presentation> = {
    // Its dates in the reader's time zone; its conditions and size are described by its own resource.
    Segment: {},
    CreditProgram: {
      names: { ownerPartnerId: { kind: 'Partner', reference: 'Partner', empty: 'The coalition (open to its partners)' } },
      required: ['name', 'currency', 'partnerIds'],
    },
    ExchangeRate: { required: ['fromCurrency', 'toCurrency', 'rate', 'validFrom'] },
    Partner: { required: ['name', 'code', 'kind'] },
    PointOfSale: { names: { partnerId: { kind: 'Partner', reference: 'Partner' } }, required: ['partnerId', 'name', 'code', 'channel'] },
    ApiKey: { names: { partnerId: { kind: 'Partner', reference: 'Partner' } } },
    PointPackage: {
      money: { priceCents: { currencyProperty: 'currency' } },
      required: ['name', 'code', 'points', 'price', 'currency'],
      // The form shows the price as it is typed, in the currency's units.
      details: async (records) => {
        for (const { params } of records) params.price = typedPrice(Number(params.priceCents), String(params.currency));
      },
    },
    Invoice: {
      names: {
        partnerId: { kind: 'Partner', reference: 'Partner' },
        packageId: { kind: 'PointPackage', reference: 'PointPackage' },
        transferId: { kind: 'LedgerTransfer' },
      },
      money: { amountCents: { currencyProperty: 'currency' } },
    },
    Tier: { required: ['name', 'code', 'threshold'] },
    SettlementStatement: settlementPresentation(dataSource),
    ProgramSettings: {
      money: { referralMinimumCents: { currencyProperty: 'currency' } },
      details: async (records) => {
        for (const { params } of records) {
          params.expiry = describeExpiryPolicy(flat.get(params, 'expiryPolicy') as Record<string, unknown>);
          // The form shows the referral minimum as it is typed, in the program's currency.
          params.referralMinimum = typedPrice(Number(params.referralMinimumCents), String(params.currency));
        }
      },
    },
    Reward: { emptyNumbers: { stock: 'Unlimited' }, required: ['name', 'code', 'pointsPrice'] },
    Company: { names: { memberId: { kind: 'Member' } } },
    CompanyFunding: {
      names: {
        companyId: { kind: 'Company', reference: 'Company' },
        partnerId: { kind: 'Partner', reference: 'Partner', empty: 'The program (its marketing account)' },
        transferId: { kind: 'LedgerTransfer' },
      },
    },
    MemberEvent: {
      names: {
        memberId: { kind: 'Member', reference: 'Member' },
        partnerId: { kind: 'Partner', reference: 'Partner' },
        pointOfSaleId: { kind: 'PointOfSale', reference: 'PointOfSale' },
        earnTransferId: { kind: 'LedgerTransfer' },
      },
      money: { amountCents: { currencyProperty: 'currency' }, refundedCents: { currencyProperty: 'currency' } },
      details: async (records) => {
        for (const { params } of records) {
          params.basket = basketLines(flat.get(params, 'lines'), params.currency);
          params.why = explanationLines(flat.get(params, 'explanation'));
        }
      },
    },
    Payment: {
      names: {
        memberId: { kind: 'Member', reference: 'Member' },
        partnerId: { kind: 'Partner', reference: 'Partner' },
        pointOfSaleId: { kind: 'PointOfSale', reference: 'PointOfSale', empty: 'Not said' },
        holdTransferId: { kind: 'LedgerTransfer' },
        captureTransferId: { kind: 'LedgerTransfer', empty: 'Not captured' },
      },
      money: { basketAmountMinor: { currencyProperty: 'currency' }, eligibleAmountMinor: { currencyProperty: 'currency' } },
    },
    Redemption: {
      names: {
        memberId: { kind: 'Member', reference: 'Member' },
        rewardId: { kind: 'Reward', reference: 'Reward' },
        partnerId: { kind: 'Partner', reference: 'Partner', empty: 'The member’s dashboard' },
        transferId: { kind: 'LedgerTransfer' },
      },
      details: async (records) => {
        for (const { params } of records) {
          const address = [params.shipToName, params.shipToStreet, params.shipToPostalCode, params.shipToCity, params.shipToCountry];
          params.shipTo = address.filter(Boolean).join(', ');
        }
      },
    },
    FulfilmentOrder: {
      // An order of the staff's own stock is known by its redemption: its own number means nothing more.
      details: async (records) => {
        for (const { params } of records) if (params.supplier === 'manual') params.supplierOrderId = '';
      },
    },
    LedgerTransfer: {
      names: {
        debitAccountId: { kind: 'LedgerAccount' },
        creditAccountId: { kind: 'LedgerAccount' },
        pendingTransferId: { kind: 'LedgerTransfer' },
        reversesTransferId: { kind: 'LedgerTransfer' },
      },
      details: async (records) => {
        for (const { params } of records) {
          params.why = explanationLines(flat.get(params, 'explanation'));
          params.causes = await detailLines(manager, flat.get(params, 'references') as Record<string, unknown>);
          params.requestedBy = await requester(manager, params.idempotencySource);
        }
      },
    },
    StaffUser: {
      names: { partnerId: { kind: 'Partner', reference: 'Partner' } },
      required: ['email', 'name', 'role'],
      // Whether the account can sign in; Unlock is offered for a locked one only, Resend invitation for one without a password yet.
      details: async (records) => {
        const states = await signInStates(
          manager,
          records.map((record) => String(record.params.id)),
        );
        for (const record of records) {
          const state = states.get(String(record.params.id));
          record.params.signIn = describeSignIn(state);
          if (!isLocked(state)) record.recordActions = record.recordActions.filter((action) => action.name !== 'unlock');
          if (!state?.invited) record.recordActions = record.recordActions.filter((action) => action.name !== 'resendInvitation');
        }
      },
    },
    AuditEntry: {
      names: {
        staffUserId: { kind: 'StaffUser', reference: 'StaffUser' },
        recordId: { kind: (params) => (typeof params.resource === 'string' ? params.resource : undefined) },
      },
      details: async (records) => {
        for (const { params } of records) {
          const [before, after] = [flat.get(params, 'before'), flat.get(params, 'after')] as (Record<string, unknown> | null)[];
          params.changes = await auditChanges(manager, before ?? null, after ?? null, String(params.action));
          // The settings are one record, known by no name; a record since deleted has none either.
          if (params.recordId && !params.recordIdName)
            params.recordIdName = params.resource === 'ProgramSettings' ? 'Program settings' : 'a record since deleted';
        }
      },
    },
    ErasureRequest: { names: { memberId: { kind: 'Member', reference: 'Member' } } },
    // Engagement: choices as written, moments in the reader's time zone, numbers grouped.
    Challenge: {},
    Badge: {},
    Leaderboard: {},
    InstantWinCampaign: {},
    MessageCampaign: {},
    Receipt: {
      names: {
        memberId: { kind: 'Member', reference: 'Member' },
        partnerId: { kind: 'Partner', reference: 'Partner', empty: 'Not matched' },
        pointOfSaleId: { kind: 'PointOfSale', reference: 'PointOfSale', empty: 'Not matched' },
        eventId: { kind: 'MemberEvent', reference: 'MemberEvent', empty: 'Not paid', gone: 'Paid (the purchase is no longer kept)' },
      },
      // A receipt's figures are read in the program's currency: its purchase is recorded in it.
      money: { totalCents: { currencyProperty: 'currency' } },
      details: async (records) => {
        const { currency } = await programSettings(manager);
        for (const { params } of records) params.currency = currency;
      },
    },
    WebhookEndpoint: { names: { partnerId: { kind: 'Partner', reference: 'Partner' } }, required: ['partnerId', 'url', 'events'] },
    WebhookDelivery: {
      names: { endpointId: { kind: 'WebhookEndpoint', reference: 'WebhookEndpoint' } },
      details: async (records) => {
        for (const { params } of records) params.sent = JSON.stringify(flat.get(params, 'payload') ?? {}, null, 2);
      },
    },
  };

  return [
    resource(Partner, 'Partner', {
      navigation: navigation.partners,
      listProperties: ['name', 'code', 'kind', 'contactEmail', 'lowBalanceThreshold', 'createdAt'],
      editProperties: ['name', 'code', 'kind', 'contactEmail', 'lowBalanceThreshold'],
      properties: {
        code: { description: 'Lowercase letters, digits and dashes, like koffie-corner: it appears in URLs, keys and reports' },
        kind: { availableValues: partnerKinds.map((value) => ({ value, label: partnerKindLabels[value] })) },
        contactEmail: { description: 'Where its reports and alerts go (optional)' },
        lowBalanceThreshold: { description: 'Below this many points in its wallet, the partner is told to top up (5,000 when left empty)' },
        // Asked by the new partner's form only (see onboardPartnerAction): its first point of sale and its user.
        pointOfSaleName: { type: 'string', isVisible: false, isRequired: true, description: 'Like "Koffie Corner Utrecht" or "Web shop"' },
        pointOfSaleCode: {
          type: 'string',
          isVisible: false,
          isRequired: true,
          description: "The partner's own code for it, as its API calls send it (pointOfSale), like utrecht-1",
        },
        pointOfSaleChannel: { isVisible: false, isRequired: true, availableValues: choices(salesChannelLabels) },
        inviteName: {
          type: 'string',
          isVisible: false,
          isRequired: true,
          description: 'The person who will use the back office for this partner',
        },
        inviteEmail: {
          type: 'string',
          isVisible: false,
          isRequired: true,
          description: 'Gets the invitation, then signs in with it; no other staff account may have it',
        },
      },
      form: {
        fields: ['code', 'name', 'kind', 'contactEmail', 'lowBalanceThreshold'],
        check: (values, editing) => checkPartner(manager, values, editing),
      },
      actions: {
        ...partnerActions(dataSource, publicUrl, components.shownOnce, components.widgetSnippet),
        new: onboardPartnerAction(dataSource, care.processes, components.partnerOnboarding),
      },
    }),
    resource(PointOfSale, 'PointOfSale', {
      navigation: navigation.partners,
      listProperties: ['name', 'partnerId', 'code', 'channel', 'createdAt'],
      editProperties: ['partnerId', 'name', 'code', 'channel'],
      properties: {
        code: { description: "The partner's own code for it, as its API calls send it (pointOfSale)" },
        channel: { availableValues: choices(salesChannelLabels) },
      },
      form: { fields: ['partnerId', 'code', 'name', 'channel'], check: (values, editing) => checkPointOfSale(manager, values, editing) },
    }),
    resource(ApiKey, 'ApiKey', {
      navigation: navigation.partners,
      readOnly: true,
      listProperties: ['prefix', 'name', 'partnerId', 'createdAt', 'lastUsedAt', 'revokedAt'],
      properties: { prefix: { description: 'The start of the key, to recognise it (the rest is never shown again)' } },
      actions: apiKeyActions(dataSource, components.shownOnce),
    }),
    resource(PointPackage, 'PointPackage', {
      navigation: navigation.partners,
      listProperties: ['name', 'code', 'points', 'priceCents', 'active', 'createdAt'],
      showProperties: ['name', 'code', 'points', 'priceCents', 'active', 'createdAt'],
      editProperties: ['name', 'code', 'points', 'price', 'currency', 'active'],
      properties: {
        price: { type: 'string', isVisible: editOnly, description: 'In the currency below, like 49.00' },
        currency: { availableValues: currencies.map((value) => ({ value, label: value })) },
        active: { description: 'On sale: it can be sold to partners' },
      },
      form: {
        fields: ['code', 'name', 'points', 'price', 'priceCents', 'currency'],
        check: async (values, editing) => {
          // An edit that leaves the price out keeps it.
          const price = values.price ?? typedPrice(Number(values.priceCents), String(values.currency));
          return (await checkPointPackage(manager, { ...values, price }, editing)).errors;
        },
      },
      prepare: pricedInCents,
    }),
    resource(Invoice, 'Invoice', {
      navigation: navigation.partners,
      readOnly: true,
      listProperties: ['number', 'partnerId', 'packageId', 'points', 'amountCents', 'createdAt'],
      showProperties: [
        'number',
        'partnerId',
        'packageId',
        'points',
        'amountCents',
        'vatRatePercent',
        'purchaseKey',
        'transferId',
        'createdAt',
      ],
      editProperties: ['partnerId', 'packageId', 'purchaseKey'],
      properties: { purchaseKey: { description: 'Optional: your order reference; selling twice with one reference sells once' } },
      actions: { new: sellPackageAction(dataSource, care.ledger), downloadPdf: invoicePdfAction(dataSource, components.invoicePdf) },
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
            const window = {
              startsAt: new Date(String(params.validFrom)).toISOString(),
              endsAt: new Date(String(params.validTo)).toISOString(),
            };
            await care.boosterWindows.schedule({ boosterId: String(params.id), ...window });
            await audited(dataSource, context, 'Booster', 'scheduleWindow', String(params.id), window);
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
    resource(Tier, 'Tier', {
      navigation: navigation.program,
      listProperties: ['name', 'code', 'threshold', 'multiplier', 'benefits'],
      sort: { sortBy: 'threshold', direction: 'asc' },
      properties: {
        code: { description: 'Lowercase letters, digits and dashes, like gold' },
        threshold: { description: 'Qualifying points within the tier window (program settings) that reach the tier' },
        multiplier: { description: "Applied to every earn of the tier's members: 1.25 gives 25% more" },
        levelName: { description: 'Optional: the level members of this tier see on their dashboard, e.g. Explorer. Empty: no level.' },
        levelEmblem: {
          availableValues: Object.entries(emblemLabels).map(([value, label]) => ({ value, label })),
          description: "The level's emblem on the member's dashboard.",
        },
      },
      form: {
        fields: ['code', 'name', 'threshold', 'multiplier', 'levelName', 'levelEmblem'],
        check: (values, editing) => checkTierForm(manager, values, editing),
      },
    }),
    resource(ProgramSettings, 'ProgramSettings', {
      navigation: navigation.program,
      listProperties: ['expiry', 'tierWindowDays', 'careApprovalThreshold', 'birthdayGreetings'],
      showProperties: [
        'expiry',
        'tierWindowDays',
        'transferMaxPoints',
        'transferMaxPointsPerDay',
        'careApprovalThreshold',
        'eventBackdateDays',
        'eventRetentionMonths',
        'refundShortfall',
        'erasureForfeiture',
        'birthdayGreetings',
        'birthdayBonusPoints',
        'birthdayDaysBefore',
        'birthdayDaysAfter',
        'birthdayChannel',
        'partnerCampaignMaxMultiplier',
        'partnerCampaignMaxPointsPerUnit',
        'partnerCampaignMaxPoints',
        'partnerCampaignsNeedApproval',
        'invoiceIssuer',
        'vatRatePercent',
        'currency',
        'pointValueMinor',
        'pendingDays',
        'paymentMinPoints',
        'paymentMaxSharePercent',
        'paymentExcludedCategories',
        'clearingValueMinor',
        'breakageOperatorSharePercent',
        'referralMinimumCents',
      ],
      properties: {
        expiry: { type: 'string', isVisible: listAndShow },
        referralMinimum: {
          type: 'string',
          isVisible: editOnly,
          description:
            "The least purchase, in the program's currency (like 10.00), that makes a referred friend count for their referrer's challenges",
        },
        invoiceIssuer: { description: "The operator's name at the top of the invoices partners download" },
        vatRatePercent: {
          type: 'string',
          description:
            'VAT included in the price of the packages sold from now on, in percent (21, 5.5; 0 when none applies); each invoice keeps its own',
        },
        // Its fields are labelled each (a label of the whole would hide theirs: translations nest by path).
        expiryPolicy: { type: 'mixed', isVisible: editOnly, hideLabel: true },
        'expiryPolicy.mode': { availableValues: choices(expiryModeLabels) },
        'expiryPolicy.months': { type: 'number', description: 'A number of months: how long points live, 1 to 1,200' },
        'expiryPolicy.month': { type: 'number', description: 'On a fixed date: its month, 1 to 12' },
        'expiryPolicy.day': { type: 'number', description: 'On a fixed date: its day of the month' },
        'expiryPolicy.yearsAfter': {
          type: 'number',
          description: 'On a fixed date: 0 for the first such date after the earn, 1 for the one after',
        },
        'expiryPolicy.minimumMonths': { type: 'number', description: 'On the anniversary: the least months points live' },
        tierWindowDays: { description: 'Qualifying points for tiers are counted over this many past days, 1 to 3,660' },
        transferMaxPoints: { description: 'The most points one transfer between members may move' },
        transferMaxPointsPerDay: { description: 'The most points one member may give in a day (UTC)' },
        careApprovalThreshold: { description: "Care adjustments above this many points a day wait for a supervisor's approval" },
        eventBackdateDays: { description: 'Partners may report an event up to this many days after it happened, 0 to 366' },
        eventRetentionMonths: { description: 'Older months of events may be archived and dropped (npm run partitions:retire)' },
        refundShortfall: {
          availableValues: choices(refundShortfallLabels),
          description: 'What a refund does when the member has already spent the points it takes back',
        },
        birthdayGreetings: { description: 'Send members a birthday message, on their day in their time zone, once a year' },
        birthdayBonusPoints: { type: 'number', description: 'Points the program gives with the birthday message; 0 for a message alone' },
        birthdayDaysBefore: { type: 'number', description: 'Celebrate this many days before the birthday (0: on the day), 0 to 31' },
        birthdayDaysAfter: { type: 'number', description: 'Runs missed until then still celebrate up to this many days after it, 0 to 31' },
        birthdayChannel: {
          availableValues: choices(birthdayChannelLabels),
          description: 'How the birthday message goes; members who turned it off there get the bonus without it',
        },
        erasureForfeiture: {
          availableValues: choices(erasureForfeitureLabels),
          description: "Where the points of a member who is erased go (the program's own points go to breakage either way)",
        },
        partnerCampaignMaxMultiplier: {
          type: 'number',
          description: 'The highest multiplier a partner may give in its own campaigns, 1 to 10',
        },
        partnerCampaignMaxPointsPerUnit: {
          type: 'number',
          description: "The most points per unit of the program's currency (or per item) a partner's campaign may give",
        },
        partnerCampaignMaxPoints: {
          type: 'number',
          description: "The most fixed or bonus points a partner's campaign may give a member at once, 1 to 1,000,000",
        },
        partnerCampaignsNeedApproval: { description: "A partner's campaign waits for an operator's approval before it runs" },
        currency: {
          availableValues: currencies.map((code) => ({ value: code, label: code })),
          description: 'What points are worth in, and what events in other currencies are converted to',
        },
        pointValueMinor: {
          type: 'string',
          description: 'What one point pays when a member spends it, in cents of the currency (1: a cent a point; 0.5: two points a cent)',
        },
        pendingDays: {
          description:
            "Days a purchase's points stay pending (the return window), 0 to 90: shown to the member, not spendable, cancelled by a refund in the window; 0: credited at once",
        },
        paymentMinPoints: { type: 'number', description: 'The fewest points a member may pay with at a checkout' },
        paymentMaxSharePercent: {
          type: 'string',
          description: "The largest share of an order's eligible amount points may pay, in percent (100: all of it)",
        },
        paymentExcludedCategories: {
          description: 'Categories of order lines points never pay for, separated by commas (gift cards, tobacco); empty for none',
        },
        clearingValueMinor: {
          type: 'string',
          description: 'What the funder of a redeemed point pays the partner where it was spent, in cents; empty for the value of a point',
        },
        breakageOperatorSharePercent: {
          type: 'string',
          description:
            'The share of the value of expired points their funder pays the operator, in percent (0 to 100); the rest stays with the funder',
        },
      },
      form: {
        fields: [
          'expiryPolicy.mode',
          'expiryPolicy.months',
          'expiryPolicy.month',
          'expiryPolicy.day',
          'expiryPolicy.yearsAfter',
          'expiryPolicy.minimumMonths',
          'tierWindowDays',
          'transferMaxPoints',
          'transferMaxPointsPerDay',
          'careApprovalThreshold',
          'eventBackdateDays',
          'refundShortfall',
          'erasureForfeiture',
          'birthdayGreetings',
          'birthdayBonusPoints',
          'birthdayDaysBefore',
          'birthdayDaysAfter',
          'birthdayChannel',
          'partnerCampaignMaxMultiplier',
          'partnerCampaignMaxPointsPerUnit',
          'partnerCampaignMaxPoints',
          'partnerCampaignsNeedApproval',
          'invoiceIssuer',
          'vatRatePercent',
          'currency',
          'pointValueMinor',
          'pendingDays',
          'paymentMinPoints',
          'paymentMaxSharePercent',
          'paymentExcludedCategories',
          'clearingValueMinor',
          'breakageOperatorSharePercent',
          'referralMinimum',
          'referralMinimumCents',
        ],
        // An edit that leaves the minimum out keeps it.
        check: (values) =>
          checkProgramSettings({
            ...values,
            referralMinimum: values.referralMinimum ?? typedPrice(Number(values.referralMinimumCents), String(values.currency)),
          }),
      },
      prepare: async (request, context) =>
        typedJson(
          ['expiryPolicy'],
          ['expiryPolicy.months', 'expiryPolicy.month', 'expiryPolicy.day', 'expiryPolicy.yearsAfter', 'expiryPolicy.minimumMonths'],
        )(await referralMinimumInCents(request, context), context),
      actions: {
        // One row: the program's settings are edited, never made again or deleted.
        new: closed,
        delete: closed,
      },
    }),
    resource(Reward, 'Reward', {
      navigation: navigation.program,
      listProperties: ['name', 'code', 'category', 'pointsPrice', 'stock', 'needsFulfilment', 'available'],
      editProperties: [
        'name',
        'code',
        'description',
        'category',
        'pointsPrice',
        'stock',
        'needsFulfilment',
        'supplier',
        'imageUrl',
        'available',
      ],
      properties: {
        code: { description: 'Lowercase letters, digits and dashes, like coffee-voucher: stores redeem it by this code' },
        description: { type: 'textarea' },
        pointsPrice: { description: 'What it costs a member, in points (1 or more)' },
        stock: { description: 'How many are left; empty for unlimited (codes made on demand)' },
        needsFulfilment: { description: 'Shipped to the member (they give an address), rather than a code at once' },
        supplier: { description: 'Who supplies it, for your records' },
        imageUrl: { description: 'A picture for the catalog, at an https:// address' },
        available: { description: 'In the catalog: members can redeem it' },
      },
      form: {
        fields: ['code', 'name', 'pointsPrice', 'stock', 'imageUrl', 'description', 'supplier', 'category'],
        check: (values, editing) => checkReward(manager, values, editing),
      },
    }),
    campaignResource(
      dataSource,
      care.processes,
      { builder: components.campaignBuilder, rejectionForm: components.campaignRejectionForm, results: components.campaignResults },
      care.campaignApprovals,
    ),
    segmentResource(dataSource, components),
    challengeResource(dataSource, care.ledger),
    badgeResource(dataSource),
    leaderboardResource(dataSource),
    instantWinResource(dataSource),
    messageCampaignResource(dataSource, care.processes, components),
    receiptResource(dataSource, { ledger: care.ledger, images: care.receiptImages, processes: care.processes }, components.receiptReview),
    memberResource(dataSource, care, components),
    companyResource(dataSource),
    companyFundingResource(dataSource, care.ledger),
    fundingSourceResource(dataSource, care.ledger, { allocate: components.fundingAllocation, liability: components.liabilityReport }),
    resource(CreditProgram, 'CreditProgram', {
      navigation: navigation.program,
      listProperties: ['name', 'ownerPartnerId', 'currency', 'cashbackPercent', 'cashbackFixedMinor', 'active', 'createdAt'],
      showProperties: ['name', 'ownerPartnerId', 'currency', 'partnerIds', 'cashbackPercent', 'cashbackFixedMinor', 'active', 'createdAt'],
      editProperties: ['name', 'ownerPartnerId', 'currency', 'partnerIds', 'cashbackPercent', 'cashbackFixedMinor', 'active'],
      properties: {
        ownerPartnerId: { description: "A partner's own closed program: its stores alone earn and spend it. Empty: the coalition's." },
        currency: {
          availableValues: currencies.map((value) => ({ value, label: value })),
          description: "The balance is money in this currency (members' credit in cents)",
        },
        partnerIds: {
          reference: 'Partner',
          isArray: true,
          description: 'The partners whose stores give this cashback and take this credit',
        },
        cashbackPercent: { description: 'Cashback as a share of each purchase, like 5 for 5% — or leave empty and give a fixed amount' },
        cashbackFixedMinor: { description: 'Or a fixed cashback per purchase, in cents of the currency (200 = €2.00)' },
        active: { description: 'Purchases earn cashback and members spend their credit while it is active' },
      },
      form: {
        fields: ['name', 'ownerPartnerId', 'currency', 'partnerIds', 'cashbackPercent', 'cashbackFixedMinor', 'active'],
        check: (values, editing) => checkCreditProgram(manager, values, editing),
      },
    }),
    resource(ExchangeRate, 'ExchangeRate', {
      navigation: navigation.program,
      listProperties: ['fromCurrency', 'toCurrency', 'rate', 'validFrom', 'createdAt'],
      editProperties: ['fromCurrency', 'toCurrency', 'rate', 'validFrom'],
      properties: {
        fromCurrency: {
          availableValues: currencies.map((value) => ({ value, label: value })),
          description: 'The currency events are sent in',
        },
        toCurrency: { availableValues: currencies.map((value) => ({ value, label: value })), description: "The program's currency" },
        rate: { description: 'What one unit of the first currency is worth in the second, like 0.92' },
        validFrom: { description: 'Events from this moment on are converted at this rate (until a later one)' },
      },
      form: {
        fields: ['fromCurrency', 'toCurrency', 'rate', 'validFrom'],
        check: (values, editing) => checkExchangeRate(manager, values, editing),
      },
    }),
    resource(MemberEvent, 'MemberEvent', {
      navigation: navigation.members,
      readOnly: true,
      listProperties: ['occurredAt', 'type', 'memberId', 'partnerId', 'amountCents', 'points', 'bonusPoints'],
      showProperties: [
        'occurredAt',
        'type',
        'memberId',
        'customerId',
        'partnerId',
        'channel',
        'pointOfSaleId',
        'amountCents',
        'basket',
        'points',
        'bonusPoints',
        'why',
        'earnTransferId',
        'refundedCents',
        'recordedAt',
      ],
      properties: {
        customerId: { description: "The store's id for the member" },
        channel: { availableValues: choices(salesChannelLabels) },
        basket: { type: 'textarea', isVisible: showOnly },
        why: { type: 'textarea', isVisible: showOnly },
      },
    }),
    resource(Payment, 'Payment', {
      navigation: navigation.members,
      readOnly: true,
      listProperties: [
        'createdAt',
        'partnerId',
        'memberId',
        'orderReference',
        'tender',
        'status',
        'pointsAuthorized',
        'pointsCaptured',
        'pointsRefunded',
      ],
      showProperties: [
        'createdAt',
        'partnerId',
        'pointOfSaleId',
        'memberId',
        'orderReference',
        'tender',
        'status',
        'basketAmountMinor',
        'eligibleAmountMinor',
        'pointValueMinor',
        'pointsAuthorized',
        'pointsCaptured',
        'pointsRefunded',
        'expiresAt',
        'holdTransferId',
        'captureTransferId',
      ],
      properties: {
        status: { availableValues: paymentStatuses.map((value) => ({ value, label: paymentStatusLabels[value] })) },
        tender: {
          availableValues: [
            { value: 'points', label: 'points' },
            { value: 'store_credit', label: 'store credit (amounts in cents)' },
          ],
        },
      },
      sort: { sortBy: 'createdAt', direction: 'desc' },
    }),
    resource(Redemption, 'Redemption', {
      navigation: navigation.members,
      readOnly: true,
      listProperties: ['createdAt', 'memberId', 'rewardId', 'quantity', 'points', 'status'],
      showProperties: [
        'createdAt',
        'memberId',
        'rewardId',
        'quantity',
        'points',
        'status',
        'partnerId',
        'code',
        'outcome',
        'shipTo',
        'transferId',
      ],
      properties: {
        status: {
          availableValues: redemptionStatuses.map((value) => ({ value, label: redemptionStatusLabels[value] })),
        },
        outcome: { type: 'textarea' },
        shipTo: { type: 'string', isVisible: showOnly },
      },
      sort: { sortBy: 'createdAt', direction: 'desc' },
      actions: { cancelFulfilment: cancelFulfilmentAction(dataSource, care.fulfilment) },
    }),
    fulfilmentOrders(dataSource, { ledger: care.ledger, fulfilment: care.fulfilment, reportForm: components.reportForm }),
    resource(LedgerTransfer, 'LedgerTransfer', {
      navigation: navigation.ledger,
      readOnly: true,
      listProperties: ['seq', 'createdAt', 'kind', 'phase', 'amount', 'debitAccountId', 'creditAccountId'],
      showProperties: [
        'seq',
        'createdAt',
        'kind',
        'phase',
        'amount',
        'debitAccountId',
        'creditAccountId',
        'why',
        'causes',
        'requestedBy',
        'pendingTransferId',
        'reversesTransferId',
        'heldUntil',
      ],
      properties: {
        seq: { description: 'The order in which the ledger wrote it' },
        kind: { availableValues: choices(transferKindLabels) },
        phase: { availableValues: choices(transferPhaseLabels) },
        causes: { type: 'textarea', isVisible: showOnly },
        why: { type: 'textarea', isVisible: showOnly },
        requestedBy: { type: 'string', isVisible: showOnly },
      },
      sort: { sortBy: 'seq', direction: 'desc' },
      actions: { reverse: reverseTransferAction(dataSource, care.ledger) },
    }),
    resource(StaffUser, 'StaffUser', {
      navigation: navigation.staff,
      listProperties: ['name', 'email', 'role', 'partnerId', 'signIn', 'createdAt'],
      showProperties: ['name', 'email', 'role', 'partnerId', 'signIn', 'createdAt'],
      editProperties: ['email', 'name', 'role', 'partnerId', 'password'],
      properties: {
        role: { availableValues: staffRoles.map((role) => ({ value: role, label: staffRoleLabels[role] })) },
        partnerId: { type: 'reference', reference: 'Partner', description: 'Partner users only: the partner whose data they see' },
        password: {
          type: 'password',
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: '12 characters or more, not the email or the name; leave empty to keep the current one',
        },
        signIn: { type: 'string', isVisible: listAndShow },
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
      actions: { unlock: unlockAction(dataSource), resendInvitation: resendInvitationAction(dataSource, care.processes) },
    }),
    resource(AuditEntry, 'AuditEntry', {
      navigation: navigation.staff,
      readOnly: true,
      listProperties: ['at', 'staffUserId', 'action', 'resource', 'recordId'],
      showProperties: ['at', 'staffUserId', 'staffEmail', 'action', 'resource', 'recordId', 'changes'],
      properties: {
        staffEmail: { description: 'As the account was named then' },
        changes: { type: 'textarea', isVisible: showOnly },
      },
      sort: { sortBy: 'at', direction: 'desc' },
    }),
    careAdjustments(dataSource, care, components),
    erasureRequests(dataSource, care.ledger),
    resource(WebhookEndpoint, 'WebhookEndpoint', {
      navigation: navigation.partners,
      listProperties: ['partnerId', 'url', 'events', 'active', 'createdAt'],
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
        active: { description: 'Deliveries go out only while it is ticked' },
      },
      checks: webhookEndpointChecks,
      actions: webhookEndpointActions(dataSource, components, webhookEndpointChecks),
    }),
    resource(WebhookDelivery, 'WebhookDelivery', {
      navigation: navigation.partners,
      readOnly: true,
      sort: { sortBy: 'createdAt', direction: 'desc' },
      listProperties: ['createdAt', 'endpointId', 'event', 'status', 'attempts', 'lastStatusCode', 'deliveredAt'],
      showProperties: ['createdAt', 'endpointId', 'event', 'status', 'attempts', 'lastStatusCode', 'lastError', 'deliveredAt', 'sent'],
      properties: {
        event: { availableValues: webhookEvents.map((value) => ({ value, label: webhookEventLabels[value] })) },
        sent: { type: 'textarea', isVisible: showOnly, description: 'What was sent, as the partner received it' },
      },
    }),
    resource(SettlementStatement, 'SettlementStatement', {
      navigation: navigation.partners,
      ...settlementStatementOptions(dataSource, components),
    }),
  ].map((built) => {
    const presentation = presentations[(built.resource as typeof BaseEntity).name];
    return presentation ? presented(dataSource, components.readableValue, built, presentation) : built;
  });
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

/** The package form's price, typed in the currency's units (checked already), kept in minor units. */
const pricedInCents: Before = async (request) => {
  if (request.method !== 'post' || !request.payload) return request;
  const { price, ...payload } = request.payload;
  if (price === undefined) return { ...request, payload };
  const parsed = parsePrice(price, String(payload.currency ?? 'EUR'));
  return { ...request, payload: { ...payload, ...('minor' in parsed ? { priceCents: parsed.minor } : {}) } };
};

/** The program settings' referral minimum, typed in the program's currency (checked already), kept in minor units. */
const referralMinimumInCents: Before = async (request) => {
  if (request.method !== 'post' || !request.payload) return request;
  const { referralMinimum, ...payload } = request.payload;
  if (referralMinimum === undefined) return { ...request, payload };
  const parsed = parsePrice(referralMinimum, String(payload.currency ?? 'EUR').toUpperCase());
  return { ...request, payload: { ...payload, ...('minor' in parsed ? { referralMinimumCents: parsed.minor } : {}) } };
};

/** The ledger's kinds of transfers and their phases, in words. */
const transferKindLabels: Record<TransferKind, string> = {
  purchase: 'points bought by a partner',
  earn: 'earned',
  bonus: 'bonus',
  burn: 'spent',
  expire: 'expired',
  adjust: 'care adjustment',
  transfer: 'gift between members',
  reversal: 'reversal',
  rebalance: 'rebalance between shards',
  merge: 'merge of two accounts',
  allocation: 'points allocated to a funding source',
  cashback: 'cashback in store credit',
  conversion: 'conversion between units',
};

const transferPhaseLabels: Record<TransferPhase, string> = {
  single: 'done',
  pending: 'held',
  post: 'hold spent',
  void: 'hold given back',
};

/** Unlock a staff account locked by failed sign-ins (operator): it can sign in at once. */
function unlockAction(dataSource: DataSource) {
  return {
    actionType: 'record' as const,
    component: false as const,
    icon: 'Unlock',
    guard: 'Unlock this account? It can sign in again at once (make sure its owner asked).',
    isAccessible: allowed('StaffUser', 'unlock'),
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { id, name } = context.record!.params as { id: string; name: string };
      const record = context.record!.toJSON(context.currentAdmin);
      const was = (await signInStates(dataSource.manager, [id])).get(id);
      if (!(await unlockStaffAccount(dataSource.manager, id))) {
        return { record, notice: { message: `${name} is not locked: nothing to unlock`, type: 'info' } };
      }
      await audited(
        dataSource,
        context,
        'StaffUser',
        'unlock',
        id,
        { lockedUntil: null, failedSignIns: 0 },
        { lockedUntil: was?.lockedUntil ?? null, failedSignIns: was?.failedSignIns ?? 0 },
      );
      return { record, notice: { message: `Unlocked: ${name} can sign in again`, type: 'success' } };
    },
  };
}

/** Resend invitation: a new set-password link by email (the old ones stop working), for an account without a password yet. */
function resendInvitationAction(dataSource: DataSource, processes: { dispatchQueued(): Promise<number> } | undefined) {
  return {
    actionType: 'record' as const,
    component: false as const,
    icon: 'Send',
    guard: 'Send a new set-password link? Links sent before stop working.',
    isAccessible: allowed('StaffUser', 'resendInvitation'),
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { id, email } = context.record!.params as { id: string; email: string };
      const record = context.record!.toJSON(context.currentAdmin);
      const invitation = await inTransaction(dataSource, (manager) => reinviteStaffUser(manager, id));
      if (!invitation) return { record, notice: { message: `${email} has a password already: nothing to invite to`, type: 'info' } };
      await processes?.dispatchQueued().catch(() => undefined);
      await audited(
        dataSource,
        context,
        'StaffUser',
        'resendInvitation',
        id,
        { invited: email, linkValidUntil: invitation.expiresAt },
        null,
      );
      return { record, notice: { message: `${email} is invited again: a new set-password link is on its way`, type: 'success' } };
    },
  };
}
