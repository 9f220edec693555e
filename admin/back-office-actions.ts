import { randomUUID } from 'node:crypto';
import { flat, type ActionContext, type ActionResponse, type After, type Before, type RecordActionResponse } from 'adminjs';
import type { DataSource } from 'typeorm';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApiKey, AuditEntry, Partner, PointPackage } from '../entities/index.js';
import { issueApiKey, revokeApiKey } from '../loyalty/api-keys.js';
import { purchasePackage } from '../loyalty/funding.js';
import { pgError } from '../loyalty/ledger/database-errors.js';
import { invoiceDocument } from '../loyalty/invoice-amounts.js';
import { invoicePdf } from '../reports/invoice-pdf.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { checkOnboarding, onboardingFields, onboardPartnerInOneStep } from '../loyalty/partner-onboarding.js';
import { isUuid } from '../loyalty/ids.js';
import { Refusal } from '../loyalty/refusal.js';
import { newWebhookSecret, rotateWebhookSecret } from '../loyalty/webhooks.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { mayRun } from './permissions.js';
import { audit, staff } from './resources.js';
import { withoutSecrets } from './readable-details.js';
import { serverWrites } from './scoped-resource.js';
import type { FulfilmentControl } from '../workflows/fulfilment-control.js';

type Handler = (
  request: { payload?: Record<string, unknown>; method: string },
  response: unknown,
  context: ActionContext,
) => Promise<ActionResponse>;

/** Whether the signed-in staff member's role may run `action`, and `when` the record allows it. */
export const allowed =
  (resource: string, action: string, when: (context: ActionContext) => boolean = () => true) =>
  (context: ActionContext) => {
    const user = staff(context);
    return !!user && mayRun(resource, action, user.role) && when(context);
  };

/**
 * Writes a back-office action to the audit log: what it set (`after`) and what those fields held
 * before, read from the record the action ran on unless given. Secrets are never written.
 */
export async function audited(
  dataSource: DataSource,
  context: ActionContext,
  resource: string,
  action: string,
  recordId: string | null,
  after: object | null,
  before: object | null = priorValues(context, after),
) {
  const user = staff(context);
  await dataSource.manager.insert(AuditEntry, {
    staffUserId: user?.id ?? null,
    staffEmail: user?.email ?? 'unknown',
    action,
    resource,
    recordId,
    before: withoutSecrets(before),
    after: withoutSecrets(after),
  });
}

/** The values the record held, before the action, of the fields it records in `after`. */
function priorValues(context: ActionContext, after: object | null): object | null {
  const params = context.record?.params;
  if (!params || !after) return null;
  const held = Object.keys(after).map((key) => [key, flat.get(params, key)] as const);
  const known = held.filter(([, value]) => value !== undefined);
  return known.length > 0 ? Object.fromEntries(known) : null;
}

/** A record action that runs at once (after the confirmation in `guard`) and reports in a notice. */
function recordAction(options: { guard?: string; icon: string; isAccessible: (context: ActionContext) => boolean; handler: Handler }) {
  return { actionType: 'record' as const, component: false as const, ...options };
}

function notice(context: ActionContext, message: string, type: 'success' | 'error' | 'info' = 'success'): RecordActionResponse {
  return { record: context.record!.toJSON(context.currentAdmin), notice: { message, type } };
}

/** What the screen of an action that makes a secret says (see components/shown-once-action.tsx). */
interface SecretScreen {
  intro: string;
  submit: string;
  what: string;
  usage: string;
  doneAt: 'record' | 'list';
}

/**
 * A record action that makes a secret (a new API key, a rotation). Its screen explains what will
 * happen; only its button's POST makes the secret, and the answer holds it, beside the record, for
 * that screen to show until the operator leaves. Opening the screen (a GET) changes nothing.
 */
function secretAction(options: {
  icon: string;
  isAccessible: (context: ActionContext) => boolean;
  component: string;
  screen: SecretScreen;
  make: (context: ActionContext) => Promise<{ secret: string; message: string }>;
}) {
  return {
    actionType: 'record' as const,
    icon: options.icon,
    isAccessible: options.isAccessible,
    component: options.component,
    custom: options.screen,
    handler: (async (request, _response, context) => {
      const record = context.record!.toJSON(context.currentAdmin);
      if (request.method !== 'post') return { record };
      const { secret, message } = await options.make(context);
      return { record, secret, notice: { message, type: 'success' } };
    }) as Handler,
  };
}

/** Reverse a posted transfer (operator, care supervisor): the ledger puts every point back where it came from. */
export function reverseTransferAction(dataSource: DataSource, ledger: Ledger) {
  return recordAction({
    icon: 'RotateCcw',
    guard: 'Reverse this transfer? The points go back to where they came from.',
    isAccessible: allowed(
      'LedgerTransfer',
      'reverse',
      (c) =>
        ['single', 'post'].includes(String(c.record?.params.phase)) &&
        !['reversal', 'rebalance', 'purchase', 'merge'].includes(String(c.record?.params.kind)),
    ),
    handler: async (_request, _response, context) => {
      const id = String(context.record!.params.id);
      try {
        const result = await ledger.reverse({
          source: 'back-office',
          key: `reverse:${id}`,
          transferId: id,
          references: { agent: staff(context)!.email },
          explanation: [{ rule: 'reversed in the back office', points: 0, reason: `by ${staff(context)!.email}` }],
        });
        // Points given back to a merged member's survivor come as one transfer per lot they restore.
        const amount = result.transfers.reduce((sum, t) => sum + t.amount, 0);
        await audited(dataSource, context, 'LedgerTransfer', 'reverse', id, { reversal: result.transfers[0]!.id, amount });
        return notice(context, `Reversed: ${amount} points moved back`);
      } catch (error) {
        if (error instanceof Refusal) return notice(context, error.message, 'error');
        throw error;
      }
    },
  });
}

/**
 * The earn widget's snippet and the token flow behind it: the store's server asks for a member's
 * token with its API key; the page holds the token, never the key.
 */
export function earnWidgetSnippet(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    html: `<script src="${base}/widget.js" defer></script>\n<tessera-earn token="TOKEN_FROM_YOUR_SERVER" amount-cents="CART_TOTAL_IN_CENTS"></tessera-earn>`,
    usage:
      'Paste it in the pages of your store where signed-in customers shop. The token comes from your server, for the customer signed in, as below; the API key never goes in a page.',
    steps: [
      {
        text: 'When a signed-in customer opens a page, your server asks Tessera for a widget token for that customer, with your API key (kept on the server):',
        code: `curl -X POST ${base}/api/v1/widget-sessions \\\n  -H "Authorization: Bearer $TESSERA_API_KEY" \\\n  -H "Idempotency-Key: <a new id per request>" \\\n  -H "Content-Type: application/json" \\\n  -d '{"externalId": "<your id for the customer>"}'`,
      },
      {
        text: 'The answer holds a token valid for one hour ("token", "expiresAt"). Your page puts it in the snippet in place of TOKEN_FROM_YOUR_SERVER: it lets the widget show that one customer\'s points at your store, nothing more.',
      },
      {
        text: 'Set amount-cents to the cart total, in cents, and update it as the cart changes: the widget shows what the cart would earn.',
      },
    ],
  };
}

/** Partner actions: a new API key (shown once), the earn-widget snippet and its token flow. */
export function partnerActions(dataSource: DataSource, publicUrl: string, shownOnce: string, widgetSnippet: string) {
  return {
    createApiKey: secretAction({
      icon: 'Key',
      isAccessible: allowed('Partner', 'createApiKey'),
      component: shownOnce,
      screen: {
        intro:
          "A new API key lets this partner's systems call the partner API (its other keys keep working). Its secret is shown once, on this screen, right after it is made: have somewhere safe to paste it.",
        submit: 'Create API key',
        what: 'API key',
        usage: 'The partner sends it in the Authorization header of each call: Authorization: Bearer <key>.',
        doneAt: 'record',
      },
      make: async (context) => {
        const partnerId = String(context.record!.params.id);
        const { secret, key } = await issueApiKey(dataSource.manager, partnerId, `made by ${staff(context)!.email}`);
        await audited(dataSource, context, 'ApiKey', 'new', key.id, { partnerId, prefix: key.prefix }, null);
        return { secret, message: `API key ${key.prefix}… created: copy it now, it is shown only once` };
      },
    }),
    widgetSnippet: {
      actionType: 'record' as const,
      icon: 'Code',
      component: widgetSnippet,
      isAccessible: allowed('Partner', 'widgetSnippet'),
      handler: (async (_request, _response, context) => ({
        record: context.record!.toJSON(context.currentAdmin),
        snippet: earnWidgetSnippet(publicUrl),
      })) as Handler,
    },
  };
}

/** API key actions: rotate (a new key, shown once; the old one revoked) and revoke. */
export function apiKeyActions(dataSource: DataSource, shownOnce: string) {
  const open = (c: ActionContext) => !c.record?.params.revokedAt;
  return {
    rotate: secretAction({
      icon: 'RefreshCw',
      isAccessible: allowed('ApiKey', 'rotate', open),
      component: shownOnce,
      screen: {
        intro:
          'Rotating makes a new key for the same partner and revokes this one at once: calls made with this key are refused from then on. The new key is shown once, on this screen: have somewhere safe to paste it.',
        submit: 'Rotate key',
        what: 'API key',
        usage: 'Give it to the partner to replace the old key in the Authorization header of its calls: Authorization: Bearer <key>.',
        doneAt: 'list',
      },
      make: async (context) => {
        const { id, partnerId, name } = context.record!.params as { id: string; partnerId: string; name: string };
        const replacement = await dataSource.transaction(async (manager) => {
          await revokeApiKey(manager, partnerId, id);
          return issueApiKey(manager, partnerId, name);
        });
        await audited(dataSource, context, 'ApiKey', 'rotate', id, { replacement: replacement.key.prefix });
        return {
          secret: replacement.secret,
          message: `Rotated: the old key is revoked; new key ${replacement.key.prefix}… shown only once`,
        };
      },
    }),
    revoke: recordAction({
      icon: 'Slash',
      guard: 'Revoke this key? Calls made with it are refused from now on.',
      isAccessible: allowed('ApiKey', 'revoke', open),
      handler: async (_request, _response, context) => {
        const { id, partnerId } = context.record!.params as { id: string; partnerId: string };
        await revokeApiKey(dataSource.manager, partnerId, id);
        const { revokedAt } = await dataSource.manager.findOneByOrFail(ApiKey, { id });
        await audited(dataSource, context, 'ApiKey', 'revoke', id, { revokedAt });
        return notice(context, 'Revoked');
      },
    }),
  };
}

/** Selling a package: the form picks a partner and a package; the ledger credits the wallet with its invoice. */
export function sellPackageAction(dataSource: DataSource, ledger: Ledger) {
  return {
    isAccessible: allowed('Invoice', 'new'),
    handler: (async (request, _response, context) => {
      if (request.method !== 'post') return {};
      const payload = request.payload ?? {};
      const errors: Record<string, { message: string }> = {};
      // A partner or a package is picked from a list: anything else than an id names none of them.
      const partner = isUuid(payload.partnerId) ? await dataSource.manager.findOneBy(Partner, { id: payload.partnerId }) : null;
      const pack = isUuid(payload.packageId)
        ? await dataSource.manager.findOneBy(PointPackage, { id: payload.packageId, active: true })
        : null;
      if (!partner) errors.partnerId = { message: 'choose the partner who buys' };
      if (!pack) errors.packageId = { message: 'choose a package on sale' };
      const refused = () =>
        ({
          record: { params: payload, errors, populated: {}, baseError: null },
          notice: { message: 'Please correct the highlighted fields', type: 'error' },
        }) as unknown as ActionResponse;
      if (!partner || !pack) return refused();
      let sold: Awaited<ReturnType<typeof purchasePackage>>;
      try {
        sold = await purchasePackage(dataSource, ledger, {
          partnerId: partner.id,
          packageCode: pack.code,
          purchaseKey: String(payload.purchaseKey || randomUUID()),
        });
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        // The only refusal a valid choice can meet: an order reference already used for another package.
        errors[error.code === 'idempotency_conflict' ? 'purchaseKey' : 'packageId'] = { message: error.reason };
        return refused();
      }
      const { invoice } = sold;
      await audited(dataSource, context, 'Invoice', 'new', invoice.id, {
        number: invoice.number,
        partner: partner.code,
        points: invoice.points,
      });
      const record = await context.resource.findOne(invoice.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.resourceUrl({ resourceId: 'Invoice' }),
        notice: { message: `Sold: invoice ${invoice.number}, ${invoice.points} points credited to ${partner.name}`, type: 'success' },
      };
    }) as Handler,
  };
}

/** Cancel a reward that has not shipped (care): the fulfilment workflow cancels the supplier's order, gives the points back and tells the member. */
export function cancelFulfilmentAction(dataSource: DataSource, fulfilment: FulfilmentControl | undefined) {
  return recordAction({
    icon: 'XCircle',
    guard:
      "Cancel this redemption? The supplier's order is cancelled and the points go back to the member, who is told by email (unless it had already shipped).",
    isAccessible: allowed(
      'Redemption',
      'cancelFulfilment',
      (c) => !!fulfilment && ['awaiting_fulfilment', 'ordered'].includes(String(c.record?.params.status)),
    ),
    handler: async (_request, _response, context) => {
      const { id } = context.record!.params as { id: string };
      const by = staff(context)!.email;
      try {
        // The reason reaches the member's email; who cancelled goes to the audit log only.
        await fulfilment!.cancel(id, 'by customer care');
      } catch (error) {
        if (error instanceof WorkflowNotFoundError)
          return notice(context, 'Its fulfilment has already finished: nothing to cancel', 'error');
        throw error;
      }
      await audited(dataSource, context, 'Redemption', 'cancelFulfilment', id, { by });
      return notice(context, "Cancelling: the supplier's order is cancelled and the points go back to the member in a moment");
    },
  });
}

/**
 * Webhook endpoints: the server makes the signing secret when an endpoint is created, and a new one
 * when it is rotated; the answer of that POST holds it for the screen that shows it once. No form
 * asks for it or shows it.
 */
export function webhookEndpointActions(dataSource: DataSource, components: { newWithSecret: string; shownOnce: string }, checks: Before) {
  const { before: auditBefore, after: auditAfter } = audit(dataSource, 'WebhookEndpoint', 'new');
  const usage = 'The partner\'s receiver checks each delivery\'s Tessera-Signature header with it (HMAC-SHA256 of "<t>.<body>").';
  const makeSecret: Before = async (request, context) => {
    if (request.method === 'post') serverWrites(context).secret = newWebhookSecret();
    return request;
  };
  const showSecretOnce: After<ActionResponse> = async (response, _request, context) => {
    const created = response.record?.id && Object.keys(response.record.errors ?? {}).length === 0;
    if (!created) return response;
    const message = 'Endpoint created: copy its signing secret now, it is shown only once';
    return { ...response, secret: String(serverWrites(context).secret), notice: { message, type: 'success' } };
  };
  return {
    new: {
      isAccessible: allowed('WebhookEndpoint', 'new'),
      component: components.newWithSecret,
      custom: { what: 'signing secret', usage },
      before: [checks, makeSecret, auditBefore],
      after: [auditAfter, showSecretOnce],
    },
    rotateSecret: secretAction({
      icon: 'RefreshCw',
      isAccessible: allowed('WebhookEndpoint', 'rotateSecret'),
      component: components.shownOnce,
      screen: {
        intro:
          'A new signing secret signs every delivery from now on; the current one stops at once, so the partner must switch its receiver to the new one. It is shown once, on this screen: have somewhere safe to paste it.',
        submit: 'Rotate signing secret',
        what: 'signing secret',
        usage,
        doneAt: 'record',
      },
      make: async (context) => {
        const id = String(context.record!.params.id);
        const secret = await rotateWebhookSecret(dataSource.manager, id);
        await audited(dataSource, context, 'WebhookEndpoint', 'rotateSecret', id, null);
        return { secret, message: 'New signing secret made: copy it now, it is shown only once' };
      },
    }),
  };
}

/** The form's values without the spaces around them, as the program reads them. */
const trimmed = (payload: Record<string, unknown> = {}) =>
  Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]));

/** A form refused: its values back, with what is wrong under each field. */
function refusedForm(payload: Record<string, unknown>, errors: Record<string, string>): ActionResponse {
  return {
    record: {
      params: payload,
      errors: Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, { message }])),
      populated: {},
      baseError: null,
    },
    notice: { message: 'Please correct the highlighted fields', type: 'error' },
  } as unknown as ActionResponse;
}

/**
 * A new partner in one step (Partner → Create new): the partner and its wallet, its first point
 * of sale and its invited user, in one transaction; the invitation email goes out from the outbox
 * once it commits.
 */
export function onboardPartnerAction(
  dataSource: DataSource,
  processes: { dispatchQueued(): Promise<number> } | undefined,
  component: string,
) {
  return {
    isAccessible: allowed('Partner', 'new'),
    component,
    custom: { pointOfSale: Object.keys(onboardingFields.pointOfSale), invitation: Object.keys(onboardingFields.invitation) },
    handler: (async (request, _response, context) => {
      if (request.method !== 'post') return {};
      const payload = trimmed(request.payload);
      const errors = await checkOnboarding(dataSource.manager, payload);
      if (Object.keys(errors).length > 0) return refusedForm(payload, errors);
      let onboarded: Awaited<ReturnType<typeof onboardPartnerInOneStep>>;
      try {
        onboarded = await inTransaction(dataSource, (manager) => onboardPartnerInOneStep(manager, payload));
      } catch (error) {
        // A twin form took the code or the email meanwhile: said as the check says it.
        if (pgError(error).code !== '23505') throw error;
        return refusedForm(payload, await checkOnboarding(dataSource.manager, payload));
      }
      await processes?.dispatchQueued().catch(() => undefined);
      const { partner, pointOfSale, user } = onboarded;
      await audited(dataSource, context, 'Partner', 'new', partner.id, {
        code: partner.code,
        name: partner.name,
        pointOfSale: pointOfSale.code,
        invited: user.email,
      });
      const record = await context.resource.findOne(partner.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Partner', recordId: partner.id, actionName: 'show' }),
        notice: {
          message: `${partner.name} created: its wallet is open, point of sale "${pointOfSale.name}" added, and ${user.email} is invited by email to set a password`,
          type: 'success',
        },
      };
    }) as Handler,
  };
}

/**
 * Download PDF on an invoice: the document in the answer, for the page to save. AdminJS reads the
 * record in the staff member's scope, so a partner user gets its own invoices only.
 */
export function invoicePdfAction(dataSource: DataSource, component: string) {
  return {
    actionType: 'record' as const,
    icon: 'Download',
    component,
    isAccessible: allowed('Invoice', 'downloadPdf'),
    handler: (async (_request, _response, context) => {
      const id = String(context.record!.params.id);
      const document = await invoiceDocument(dataSource.manager, id);
      const pdf = await invoicePdf(document!);
      return {
        record: context.record!.toJSON(context.currentAdmin),
        pdf: { filename: `${document!.number}.pdf`, base64: pdf.toString('base64') },
      };
    }) as Handler,
  };
}
