import { WorkflowNotFoundError } from '@temporalio/client';
import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource, EntityManager } from 'typeorm';
import { Campaign } from '../entities/index.js';
import { builderValues, editedDraft, readCampaignForm, type CampaignForm } from '../loyalty/campaigns/campaign-form.js';
import { campaignOptions, previewCampaign } from '../loyalty/campaigns/campaign-preview.js';
import { campaignResults } from '../loyalty/campaigns/campaign-results.js';
import { campaignTermsOf, termNames } from '../loyalty/campaigns/campaign-terms.js';
import {
  checkCampaignDecision,
  createCampaign,
  endCampaign,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  statusWords,
  updateCampaign,
} from '../loyalty/campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { Refusal } from '../loyalty/refusal.js';
import { campaignResultsCsv } from '../reports/campaign-results-csv.js';
import { allowed, audited } from './back-office-actions.js';
import { canRead } from './permissions.js';
import { navigation, readable, staff } from './resources.js';
import type { CampaignApprovals } from '../workflows/campaign-approvals.js';

const number = new Intl.NumberFormat('en');
const closed = { isAccessible: () => false };

/** The campaign's list and show values in words: its owner's name, its status, its window, its budget. */
async function described(dataSource: DataSource, params: Record<string, unknown>, withTerms = false): Promise<Record<string, unknown>> {
  const [owner] = params.ownerPartnerId
    ? await dataSource.query(`SELECT name FROM partner WHERE id = $1`, [params.ownerPartnerId])
    : [{ name: 'The program' }];
  const zone = String(params.timeZone ?? 'UTC');
  const at = (value: unknown) =>
    value ? new Date(String(value)).toLocaleString('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' }) : null;
  const budget = params.budgetPoints
    ? `${number.format(Number(params.spentPoints))} of ${number.format(Number(params.budgetPoints))} points`
    : 'no budget';
  const status = statusWords[params.status as keyof typeof statusWords] ?? String(params.status);
  return {
    ...params,
    owner: owner?.name ?? '—',
    state: params.statusReason ? `${status} (${params.statusReason})` : status,
    window: `${at(params.startsAt) ?? 'when scheduled'} → ${at(params.endsAt) ?? 'no end'} (${zone})`,
    budget,
    holdout: Number(params.holdoutPercent) > 0 ? `${String(params.holdoutPercent)} % of the audience kept out, to measure it` : 'none',
    pendingWindow:
      params.pendingDays === null || params.pendingDays === undefined || params.pendingDays === ''
        ? "the program's return window"
        : Number(params.pendingDays) === 0
          ? 'credited at once'
          : `${String(params.pendingDays)} days after the purchase`,
    ...(withTerms ? await termsOf(dataSource, String(params.id)) : {}),
  };
}

/** What the campaign does in words (who, when, what, where, how much at most): what its approver decides on. */
async function termsOf(dataSource: DataSource, id: string): Promise<Record<string, string>> {
  const campaign = await dataSource.manager.findOneBy(Campaign, { id });
  if (!campaign) return {};
  const terms = campaignTermsOf(campaign, await termNames(dataSource.manager));
  return { forWhom: terms.audience, when: terms.trigger, gives: terms.reward, where: terms.places, limits: terms.caps };
}

/** The partner whose campaigns a staff member sets up: its own for a partner user, none (the program's) for operator staff. */
const ownerOf = (context: ActionContext): string | null => {
  const user = staff(context)!;
  return user.role === 'partner_user' ? user.partnerId! : null;
};

const fieldErrors = (problems: Record<string, string>) =>
  ({ errors: Object.fromEntries(Object.entries(problems).map(([k, m]) => [k, { message: m }])) }) as unknown as ActionResponse;

/**
 * Campaigns: what the program and each partner set up to give points, built step by step
 * (campaign-builder), previewed, scheduled, paused, resumed and ended from here, each action
 * audited. A partner user sees and changes only its own (the resource is scoped by owner), within
 * the operator's guardrails; when they say so its campaigns wait for an operator's approval
 * (Approve, Reject), never given by whoever asked. The engine runs them as the rules, boosters and
 * bonuses they made.
 */
export function campaignResource(
  dataSource: DataSource,
  /** Starts what an action queued (a lifecycle, an approval) right after its commit; the outbox sweep does it otherwise. */
  processes: { dispatchQueued(): Promise<number> } | undefined,
  components: { builder: string; rejectionForm: string; results: string },
  /** Answers approval requests (a signal to their process). */
  approvals: CampaignApprovals | undefined,
): ResourceWithOptions {
  const shown = async (context: ActionContext, id: string) => {
    const record = await context.resource.findOne(id, context);
    return { ...record!.toJSON(context.currentAdmin), params: await described(dataSource, record!.params, true) };
  };

  const lifecycle = (name: 'schedule' | 'pause' | 'resume' | 'end', guard: string, icon: string, when: (status: string) => boolean) => ({
    actionType: 'record' as const,
    component: false as const,
    guard,
    icon,
    isAccessible: allowed('Campaign', name, (context: ActionContext) => when(String(context.record?.params.status))),
    handler: async (_request: unknown, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = String(context.record!.params.id);
      const by = staff(context)!.email;
      const move = {
        schedule: (m: EntityManager) => scheduleCampaign(m, id, new Date(), by),
        pause: (m: EntityManager) => pauseCampaign(m, id),
        resume: (m: EntityManager) => resumeCampaign(m, id),
        end: (m: EntityManager) => endCampaign(m, id),
      }[name];
      try {
        const campaign = await inTransaction(dataSource, async (manager) => {
          const moved = await move(manager);
          await audited(dataSource, context, 'Campaign', name, id, { status: moved.status });
          return moved;
        });
        await processes?.dispatchQueued().catch(() => undefined);
        forgetProgramConfiguration(dataSource);
        return {
          record: await shown(context, id),
          notice: { message: `${campaign.name} is ${statusWords[campaign.status]}`, type: 'success' },
        };
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return { record: context.record!.toJSON(context.currentAdmin), notice: { message: error.reason, type: 'error' } };
      }
    },
  });

  /**
   * The builder's answers, for a new campaign or one edited (`editing`): its choices (GET), a
   * preview, or the campaign saved (and scheduled when asked), its problems by field otherwise.
   * A partner's campaign is its own whatever the form says, and its preview is on its own stores.
   */
  const builder = async (request: ActionRequest, context: ActionContext, editing: Campaign | null): Promise<ActionResponse> => {
    const owner = editing ? editing.ownerPartnerId : ownerOf(context);
    if (request.method !== 'post') {
      const options = await campaignOptions(dataSource.manager, owner);
      return {
        options,
        ...(editing ? { campaign: builderValues(editing) } : {}),
      } as unknown as ActionResponse;
    }
    let form: CampaignForm & { basket?: { partnerId?: string; lines?: unknown } };
    try {
      form = JSON.parse(String(request.payload?.campaign ?? '{}'));
      if (form === null || typeof form !== 'object' || Array.isArray(form)) throw new TypeError('not a form');
    } catch {
      return fieldErrors({ campaign: 'the form could not be read: open the builder again' });
    }
    const read = readCampaignForm(form, owner);
    const draft = editing ? editedDraft(editing, read.draft) : read.draft;
    const intent = String(request.payload?.intent ?? 'save');
    if (intent === 'preview') {
      const partnerId =
        owner ?? (form.basket?.partnerId || draft.places.partnerIds?.[0] || (await campaignOptions(dataSource.manager)).partners[0]?.id);
      const lines = Array.isArray(form.basket?.lines) ? (form.basket!.lines as never[]) : [];
      const preview = partnerId ? await previewCampaign(dataSource.manager, draft, { partnerId, lines }) : null;
      return { preview } as unknown as ActionResponse;
    }
    if (Object.keys(read.problems).length > 0) return fieldErrors(read.problems);
    const by = staff(context)!.email;
    try {
      const campaign = await inTransaction(dataSource, async (manager) => {
        const made = editing ? await updateCampaign(manager, editing.id, draft) : await createCampaign(manager, draft, by);
        const moved = intent === 'schedule' ? await scheduleCampaign(manager, made.id, new Date(), by) : made;
        const action = `${editing ? 'edit' : 'new'}${intent === 'schedule' ? '+schedule' : ''}`;
        await audited(dataSource, context, 'Campaign', action, made.id, { name: made.name, status: moved.status });
        return moved;
      });
      await processes?.dispatchQueued().catch(() => undefined);
      forgetProgramConfiguration(dataSource);
      return {
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Campaign', recordId: campaign.id, actionName: 'show' }),
        notice: { message: `${campaign.name} is ${statusWords[campaign.status]}`, type: 'success' },
      } as unknown as ActionResponse;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const problems = error.details.problems as Record<string, string> | undefined;
      // A refusal of the campaign as a whole (its state, not a field) is said as a notice.
      if (!error.field && Object.keys(problems ?? {}).length === 0)
        return { notice: { message: error.reason, type: 'error' } } as unknown as ActionResponse;
      return fieldErrors(problems ?? { [error.field ?? 'name']: error.reason });
    }
  };

  /** An operator's answer to a partner's campaign waiting for approval: checked (four eyes), audited, sent to its process. */
  const decide = (approved: boolean) => ({
    actionType: 'record' as const,
    icon: approved ? 'Check' : 'X',
    variant: approved ? ('success' as const) : ('danger' as const),
    ...(approved
      ? { component: false as const, guard: 'Approve this partner campaign? It runs from its start.' }
      : { component: components.rejectionForm }),
    isAccessible: allowed('Campaign', approved ? 'approve' : 'reject', (c) => c.record?.params.status === 'awaiting_approval'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const record = context.record!.toJSON(context.currentAdmin);
      if (!approved && request.method !== 'post') return { record };
      const id = String(context.record!.params.id);
      const by = staff(context)!.email;
      const reason = String(request.payload?.reason ?? '').trim();
      if (!approved && (reason.length === 0 || reason.length > 500)) {
        return {
          record: { ...record, errors: { reason: { message: 'say why, in 1 to 500 characters' } } },
          notice: { message: 'Please say why', type: 'error' },
        };
      }
      try {
        const campaign = await checkCampaignDecision(dataSource.manager, id, by);
        if (!approvals) throw new Error('Campaign approvals need the Temporal client');
        await approvals.decide(campaign.approvalRequestId!, { approved, by, reason: approved ? null : reason });
        await audited(
          dataSource,
          context,
          'Campaign',
          approved ? 'approve' : 'reject',
          id,
          approved ? { approvedBy: by } : { rejectedBy: by, reason },
        );
        // The page that follows shows the outcome when the process applies it at once (it usually does).
        for (
          let tries = 0;
          tries < 25 && (await dataSource.manager.findOneByOrFail(Campaign, { id })).status === 'awaiting_approval';
          tries++
        )
          await new Promise((resolve) => setTimeout(resolve, 200));
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { record, notice: { message: 'It was decided already', type: 'info' } };
        if (!(error instanceof Refusal)) throw error;
        return { record, notice: { message: error.reason, type: 'error' } };
      }
      return {
        record: await shown(context, id),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Campaign', recordId: id, actionName: 'show' }),
        notice: {
          message: approved ? 'Approved: the campaign is being scheduled' : 'Rejected: it is a draft again, with your reason',
          type: 'success',
        },
      };
    },
  });

  return {
    resource: Campaign,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'state', 'owner', 'window', 'budget'],
      showProperties: [
        'name',
        'state',
        'owner',
        'forWhom',
        'when',
        'gives',
        'where',
        'limits',
        'window',
        'budget',
        'holdout',
        'pendingWindow',
        'createdBy',
        'approvalRequestedBy',
        'createdAt',
      ],
      filterProperties: ['name', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        state: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        owner: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        window: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        budget: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        forWhom: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        when: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        gives: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        where: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        limits: { type: 'string', isVisible: { list: false, show: true, edit: false, filter: false } },
        holdout: {
          type: 'string',
          isVisible: { list: false, show: true, edit: false, filter: false },
          description: 'Share of the audience kept out to measure what the campaign changes',
        },
        pendingWindow: {
          type: 'string',
          isVisible: { list: false, show: true, edit: false, filter: false },
          description: 'When the points it gives on a purchase can be spent: the longest window of the campaigns and rules that gave them',
        },
        approvalRequestedBy: { description: 'Who asked for the operator’s approval (someone else decides)' },
        status: { availableValues: Object.entries(statusWords).map(([value, label]) => ({ value, label })) },
      },
      actions: {
        list: {
          isAccessible: readable('Campaign'),
          after: async (response: ActionResponse) => {
            for (const record of response.records ?? []) record.params = await described(dataSource, record.params);
            return response;
          },
        },
        search: { isAccessible: readable('Campaign') },
        show: {
          isAccessible: readable('Campaign'),
          after: async (response: ActionResponse) => {
            if (response.record) response.record.params = await described(dataSource, response.record.params, true);
            return response;
          },
        },
        // A draft (or a paused campaign) opens in the builder, filled in.
        edit: {
          isAccessible: allowed('Campaign', 'edit', (c) => ['draft', 'paused'].includes(String(c.record?.params.status))),
          component: components.builder,
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext) => {
            const editing = await dataSource.manager.findOneByOrFail(Campaign, { id: String(context.record!.params.id) });
            // A record action answers with its record, whatever else it says.
            return { record: context.record!.toJSON(context.currentAdmin), ...(await builder(request, context, editing)) };
          },
        },
        delete: closed,
        bulkDelete: closed,
        new: {
          isAccessible: allowed('Campaign', 'new'),
          component: components.builder,
          handler: (request: ActionRequest, _response: unknown, context: ActionContext) => builder(request, context, null),
        },
        schedule: lifecycle(
          'schedule',
          'Schedule this campaign? It runs from its start to its end; a partner’s campaign may first wait for the operator’s approval.',
          'Play',
          (s) => s === 'draft',
        ),
        pause: lifecycle('pause', 'Pause this campaign? Members earn nothing from it until it resumes.', 'Pause', (s) =>
          ['running', 'scheduled'].includes(s),
        ),
        resume: lifecycle('resume', 'Resume this campaign?', 'Play', (s) => s === 'paused'),
        results: {
          actionType: 'record',
          icon: 'BarChart2',
          component: components.results,
          // The record reached this handler through the resource's scoped findOne: a campaign the
          // session may not read is a 404 before any figure is computed.
          isAccessible: allowed('Campaign', 'results', (context) => canRead('Campaign', staff(context)!.role)),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record!.params.id);
            const record = { ...context.record!.toJSON(context.currentAdmin), params: await described(dataSource, context.record!.params) };
            const figures = await campaignResults(dataSource.manager, id);
            if (request.method !== 'post') return { record, results: figures } as unknown as ActionResponse;
            const download = {
              filename: `campaign-results-${id.slice(0, 8)}.csv`,
              type: 'text/csv',
              content: campaignResultsCsv(figures),
            };
            await audited(dataSource, context, 'Campaign', 'results', id, { exported: 'campaign results (CSV)' });
            return {
              record,
              download,
              notice: { message: `Downloaded ${download.filename}`, type: 'success' },
            } as unknown as ActionResponse;
          },
        },
        end: lifecycle('end', 'End this campaign for good?', 'Square', (s) => !['ended', 'draft', 'awaiting_approval'].includes(s)),
        approve: decide(true),
        reject: decide(false),
      },
    },
  };
}
