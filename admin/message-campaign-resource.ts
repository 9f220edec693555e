import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource, EntityManager } from 'typeorm';
import { MessageCampaign, type MessageCampaignChannel } from '../entities/index.js';
import { zonedLocal } from '../loyalty/campaigns/zoned-time.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { describeMessageCampaignResults, messageCampaignResults } from '../loyalty/messaging/message-campaign-results.js';
import {
  cancelMessageCampaign,
  MessageCampaignNotCancellableError,
  MessageCampaignRefusedError,
  messageCampaignChannelLabels,
  messageCampaignStatusLabels,
  scheduleMessageCampaign,
  updateMessageCampaign,
} from '../loyalty/messaging/message-campaigns.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const listAndShow = { list: true, filter: false, show: true, edit: false };
const showOnly = { list: false, filter: false, show: true, edit: false };

/** What a message campaign is made of, in the order the form asks for it. */
const editProperties = [
  'name',
  'segmentId',
  'channel',
  'subject',
  'body',
  'sendAt',
  'timeZone',
  'ratePerMinute',
  'holdoutPercent',
  'returnWindowDays',
];

type Params = Record<string, unknown>;

/** When it goes out, in words, on the clock of the zone it was typed in. */
function scheduledAt(params: Params): string {
  const zone = String(params.timeZone || 'UTC');
  const at = new Date(String(params.sendAt));
  if (Number.isNaN(at.getTime())) return '';
  return `${at.toLocaleString('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })} (${zone})`;
}

/** The problems of a refused form, each under its field; one about the campaign as a whole (its state) as a notice. */
function refusal(error: unknown): ActionResponse {
  if (error instanceof MessageCampaignNotCancellableError) return { notice: { message: `Not cancelled: ${error.reason}`, type: 'error' } };
  if (!(error instanceof MessageCampaignRefusedError)) throw error;
  const problems = error.details.problems as Record<string, string>;
  const outside = Object.entries(problems).find(([field]) => !editProperties.includes(field));
  if (outside) return { notice: { message: `Not saved: ${outside[1]}`, type: 'error' } };
  throw new ValidationError(Object.fromEntries(Object.entries(problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/**
 * Message campaigns (offers and news by email or SMS to a segment) in the back office: set up,
 * scheduled, changed while they wait, cancelled, and read for their results. Segments are the
 * operator's, so these are too: partner users and care neither see nor reach them. Checked and
 * run by loyalty/messaging; the outbox starts their workflow once the save commits.
 */
export function messageCampaignResource(
  dataSource: DataSource,
  /** Starts what a save queued right after its commit; the outbox sweep does it otherwise. */
  processes: { dispatchQueued(): Promise<number> } | undefined,
  components: { wallClockInput: string; messageCampaignResults: string; readableValue: string },
): ResourceWithOptions {
  const inWords = (params: Params) => {
    params.scheduled = scheduledAt(params);
    return params;
  };
  const shownRecord = async (context: ActionContext, id: string) => {
    const record = await context.resource.findOne(id, context);
    return { ...record!.toJSON(context.currentAdmin), params: inWords(record!.params) };
  };

  /** The record as its form shows it: the time as it was typed, on the clock of its zone. */
  const asTyped = (context: ActionContext) => {
    const record = context.record!.toJSON(context.currentAdmin);
    const params = record.params as Params;
    params.sendAt = zonedLocal(new Date(String(params.sendAt)), String(params.timeZone || 'UTC'));
    return record;
  };

  const save = (name: 'new' | 'edit') => ({
    isAccessible: allowed('MessageCampaign', name, (context) => name === 'new' || context.record?.params.status === 'scheduled'),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      if (request.method !== 'post') return id ? { record: asTyped(context) } : ({} as ActionResponse);
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const by = staff(context)!.email;
      let saved: MessageCampaign;
      try {
        saved = await inTransaction(dataSource, async (m: EntityManager) => {
          const campaign = id ? await updateMessageCampaign(m, id, form) : await scheduleMessageCampaign(m, form, by);
          await audited(dataSource, context, 'MessageCampaign', name, campaign.id, {
            name: campaign.name,
            sendAt: campaign.sendAt,
            status: campaign.status,
          });
          return campaign;
        });
      } catch (error) {
        return { ...(id ? { record: asTyped(context) } : {}), ...refusal(error) } as ActionResponse;
      }
      await processes?.dispatchQueued().catch(() => undefined);
      return {
        record: await shownRecord(context, saved.id),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'MessageCampaign', recordId: saved.id, actionName: 'show' }),
        notice: { message: `${saved.name} is scheduled for ${scheduledAt(saved as unknown as Params)}`, type: 'success' },
      };
    },
  });

  return {
    resource: MessageCampaign,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'channel', 'segmentId', 'scheduled', 'status'],
      showProperties: [
        'name',
        'status',
        'results',
        ...editProperties.filter((p) => p !== 'sendAt'),
        'scheduled',
        'createdBy',
        'createdAt',
        'startedAt',
      ],
      editProperties,
      filterProperties: ['name', 'channel', 'status'],
      sort: { sortBy: 'sendAt', direction: 'desc' },
      properties: {
        segmentId: { reference: 'Segment', isRequired: true, description: 'Who it goes to: the members of this segment at the send time.' },
        channel: {
          availableValues: choices(messageCampaignChannelLabels),
          isRequired: true,
          components: { list: components.readableValue, show: components.readableValue },
          custom: { display: 'choice' },
        },
        subject: { description: "The email's subject (a text message has none)." },
        body: {
          type: 'textarea',
          isRequired: true,
          description: 'What it says. Its links are tracked in emails (opens and clicks); a text message holds at most 480 characters.',
        },
        sendAt: {
          components: { edit: components.wallClockInput },
          isRequired: true,
          description:
            'When it goes out, on the clock of the time zone below. Members in their night (21:00 to 09:00) get it at 09:00 of their day.',
        },
        timeZone: { description: 'The time zone of the send time (IANA), e.g. Europe/Amsterdam. Empty: UTC.' },
        ratePerMinute: { type: 'number', isRequired: true, description: 'At most this many messages a minute.' },
        holdoutPercent: {
          type: 'number',
          isRequired: true,
          description: 'Share of the segment (0 to 90 %) kept out, not sent it, to measure who came back because of it.',
        },
        returnWindowDays: {
          type: 'number',
          isRequired: true,
          description: 'A member came back when they bought or visited within this many days after it was sent.',
        },
        scheduled: { type: 'string', isVisible: listAndShow, description: 'When it goes out, in the time zone it was typed in' },
        // Its label as written (AdminJS would capitalise every word of it).
        status: {
          availableValues: choices(messageCampaignStatusLabels),
          isVisible: { list: true, filter: true, show: true, edit: false },
          components: { list: components.readableValue, show: components.readableValue },
          custom: { display: 'choice' },
        },
        results: { type: 'string', isVisible: showOnly, components: { show: components.messageCampaignResults } },
        createdBy: { isVisible: showOnly },
        createdAt: { isVisible: showOnly },
        startedAt: { isVisible: showOnly, description: 'When its audience was drawn' },
      },
      actions: {
        list: {
          isAccessible: readable('MessageCampaign'),
          after: async (response: ActionResponse) => {
            for (const record of response.records ?? []) inWords(record.params);
            return response;
          },
        },
        search: { isAccessible: readable('MessageCampaign') },
        show: {
          isAccessible: readable('MessageCampaign'),
          after: async (response: ActionResponse) => {
            const params = response.record?.params as Params | undefined;
            if (!params) return response;
            inWords(params);
            const counts = await messageCampaignResults(dataSource.manager, String(params.id));
            const campaign = { channel: params.channel as MessageCampaignChannel, returnWindowDays: Number(params.returnWindowDays) };
            params.results = JSON.stringify(describeMessageCampaignResults(counts, campaign));
            return response;
          },
        },
        new: save('new'),
        edit: save('edit'),
        cancel: {
          actionType: 'record',
          component: false,
          icon: 'XCircle',
          variant: 'danger',
          guard: 'Cancel this message campaign? Nobody will be sent it.',
          isAccessible: allowed('MessageCampaign', 'cancel', (context) => context.record?.params.status === 'scheduled'),
          handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const id = String(context.record!.params.id);
            try {
              await inTransaction(dataSource, async (m) => {
                await cancelMessageCampaign(m, id);
                await audited(dataSource, context, 'MessageCampaign', 'cancel', id, { status: 'cancelled' });
              });
            } catch (error) {
              return { record: context.record!.toJSON(context.currentAdmin), ...refusal(error) };
            }
            return {
              record: await shownRecord(context, id),
              redirectUrl: context.h.recordActionUrl({ resourceId: 'MessageCampaign', recordId: id, actionName: 'show' }),
              notice: { message: `${String(context.record!.params.name)} is cancelled: nobody will be sent it`, type: 'success' },
            };
          },
        },
        delete: closed,
        bulkDelete: closed,
      },
    },
  };
}
