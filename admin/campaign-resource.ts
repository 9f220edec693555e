import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Campaign } from '../entities/index.js';
import { readCampaignForm, type CampaignForm } from '../loyalty/campaigns/campaign-form.js';
import { campaignOptions, previewCampaign } from '../loyalty/campaigns/campaign-preview.js';
import { campaignResults } from '../loyalty/campaigns/campaign-results.js';
import {
  createCampaign,
  endCampaign,
  pauseCampaign,
  resumeCampaign,
  scheduleCampaign,
  statusWords,
} from '../loyalty/campaigns/campaigns.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { Refusal } from '../loyalty/refusal.js';
import { campaignResultsCsv } from '../reports/campaign-results-csv.js';
import { allowed, audited } from './back-office-actions.js';
import { canRead } from './permissions.js';
import { navigation, readable, staff } from './resources.js';

const number = new Intl.NumberFormat('en');
const closed = { isAccessible: () => false };

/** The campaign's list and show values in words: its owner's name, its status, its window, its budget. */
async function described(dataSource: DataSource, params: Record<string, unknown>): Promise<Record<string, unknown>> {
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
  };
}

/**
 * Campaigns: what the program (and, later, each partner) sets up to give points, built step by
 * step (campaign-builder), previewed, scheduled, paused, resumed and ended from here, each action
 * audited. The engine runs them as the rules, boosters and bonuses they made.
 */
export function campaignResource(
  dataSource: DataSource,
  /** Starts what an action queued (a lifecycle) right after its commit; the outbox sweep does it otherwise. */
  processes: { dispatchQueued(): Promise<number> } | undefined,
  builder: string,
  results: string,
): ResourceWithOptions {
  const lifecycle = (name: 'schedule' | 'pause' | 'resume' | 'end', guard: string, icon: string, when: (status: string) => boolean) => ({
    actionType: 'record' as const,
    component: false as const,
    guard,
    icon,
    isAccessible: allowed('Campaign', name, (context: ActionContext) => when(String(context.record?.params.status))),
    handler: async (_request: unknown, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = String(context.record!.params.id);
      const move = { schedule: scheduleCampaign, pause: pauseCampaign, resume: resumeCampaign, end: endCampaign }[name];
      try {
        const campaign = await inTransaction(dataSource, async (manager) => {
          const moved = await move(manager, id);
          await audited(dataSource, context, 'Campaign', name, id, { status: moved.status });
          return moved;
        });
        await processes?.dispatchQueued().catch(() => undefined);
        forgetProgramConfiguration(dataSource);
        const record = await context.resource.findOne(id, context);
        return {
          record: { ...record!.toJSON(context.currentAdmin), params: await described(dataSource, record!.params) },
          notice: { message: `${campaign.name} is ${statusWords[campaign.status]}`, type: 'success' },
        };
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return { record: context.record!.toJSON(context.currentAdmin), notice: { message: error.reason, type: 'error' } };
      }
    },
  });

  return {
    resource: Campaign,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'state', 'owner', 'window', 'budget'],
      showProperties: ['name', 'state', 'owner', 'window', 'budget', 'holdoutPercent', 'createdBy', 'createdAt'],
      filterProperties: ['name', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        state: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        owner: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        window: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        budget: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        holdoutPercent: { description: 'Share of the audience kept out to measure what the campaign changes' },
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
            if (response.record) response.record.params = await described(dataSource, response.record.params);
            return response;
          },
        },
        edit: closed,
        delete: closed,
        bulkDelete: closed,
        new: {
          isAccessible: allowed('Campaign', 'new'),
          component: builder,
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            if (request.method !== 'post') return { options: await campaignOptions(dataSource.manager) } as unknown as ActionResponse;
            let form: CampaignForm & { basket?: { partnerId?: string; lines?: unknown } };
            try {
              form = JSON.parse(String(request.payload?.campaign ?? '{}'));
              if (form === null || typeof form !== 'object' || Array.isArray(form)) throw new TypeError('not a form');
            } catch {
              return {
                errors: { campaign: { message: 'the form could not be read: open the builder again' } },
              } as unknown as ActionResponse;
            }
            const { draft, problems: unreadable } = readCampaignForm(form, null);
            const intent = String(request.payload?.intent ?? 'save');
            if (intent === 'preview') {
              const partnerId =
                form.basket?.partnerId || draft.places.partnerIds?.[0] || (await campaignOptions(dataSource.manager)).partners[0]?.id;
              const lines = Array.isArray(form.basket?.lines) ? (form.basket!.lines as never[]) : [];
              const preview = partnerId ? await previewCampaign(dataSource.manager, draft, { partnerId, lines }) : null;
              return { preview } as unknown as ActionResponse;
            }
            if (Object.keys(unreadable).length > 0) {
              return {
                errors: Object.fromEntries(Object.entries(unreadable).map(([k, m]) => [k, { message: m }])),
              } as unknown as ActionResponse;
            }
            try {
              const campaign = await inTransaction(dataSource, async (manager) => {
                const made = await createCampaign(manager, draft, staff(context)!.email);
                const moved = intent === 'schedule' ? await scheduleCampaign(manager, made.id) : made;
                await audited(dataSource, context, 'Campaign', intent === 'schedule' ? 'new+schedule' : 'new', made.id, {
                  name: made.name,
                  status: moved.status,
                });
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
              const problems = (error.details.problems as Record<string, string> | undefined) ?? { [error.field ?? 'name']: error.reason };
              return {
                errors: Object.fromEntries(Object.entries(problems).map(([k, m]) => [k, { message: m }])),
              } as unknown as ActionResponse;
            }
          },
        },
        schedule: lifecycle('schedule', 'Schedule this campaign? It runs from its start to its end.', 'Play', (s) => s === 'draft'),
        pause: lifecycle('pause', 'Pause this campaign? Members earn nothing from it until it resumes.', 'Pause', (s) =>
          ['running', 'scheduled'].includes(s),
        ),
        resume: lifecycle('resume', 'Resume this campaign?', 'Play', (s) => s === 'paused'),
        results: {
          actionType: 'record',
          icon: 'BarChart2',
          component: results,
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
        end: lifecycle('end', 'End this campaign for good?', 'Square', (s) => !['ended', 'draft'].includes(s)),
      },
    },
  };
}
