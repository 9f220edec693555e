import {
  ValidationError,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type RecordActionResponse,
  type ListActionResponse,
  type ResourceWithOptions,
} from 'adminjs';
import type { DataSource } from 'typeorm';
import { InstantWinCampaign } from '../entities/index.js';
import {
  InstantWinRefusedError,
  instantWinModeLabels,
  instantWinStatusLabels,
  saveInstantWinCampaign,
  viewInstantWin,
  type InstantWinEditor,
} from '../loyalty/engagement/instant-win-form.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const shownOnly = { list: false, filter: false, show: true, edit: false };
const listedAndShown = { list: true, filter: false, show: true, edit: false };
const number = new Intl.NumberFormat('en');

function editorOf(context: ActionContext): InstantWinEditor {
  const user = staff(context)!;
  return user.role === 'partner_user' ? { kind: 'partner', partnerId: user.partnerId! } : { kind: 'operator' };
}

/** The problems of a refused form, each under its field. */
function refusedFields(error: unknown): never {
  if (!(error instanceof InstantWinRefusedError)) throw error;
  throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/** What a campaign is made of, in the order the form asks for it. */
const editProperties = [
  'name',
  'partnerId',
  'startsAt',
  'endsAt',
  'segmentId',
  'mode',
  'winChance',
  'winningTimeCount',
  'prizePoints',
  'prizeBudget',
  'pointsBudget',
  'fundingPartnerId',
  'status',
];

/** The figures a campaign's page shows besides its columns: its chance in %, what is left, and the seed once over. */
async function withFigures(dataSource: DataSource, context: ActionContext, params: Record<string, unknown>): Promise<void> {
  const view = await viewInstantWin(dataSource.manager, String(params.id), editorOf(context));
  const c = view.campaign;
  params.winChance = c.winChancePpm === null ? '' : String(c.winChancePpm / 10_000);
  params.prizesLeft = view.prizesLeft === null ? 'no limit by count' : number.format(view.prizesLeft);
  params.pointsLeft = view.pointsLeft === null ? 'no limit by points' : number.format(view.pointsLeft);
  params.revealedSeed = view.revealedSeed ?? 'kept secret until the campaign ends';
  // A campaign past its end reads ended, wherever it is shown.
  params.status = view.status;
  // A partner user reading the program's campaign sees that another partner pays, not which one.
  const user = staff(context)!;
  if (user.role === 'partner_user' && c.fundingPartnerId && c.fundingPartnerId !== user.partnerId)
    params.fundingPartnerId = 'another partner';
}

/**
 * Winning-moments campaigns in the back office: the operator's staff set up the program's (paid
 * from its marketing account or by a named partner) and any partner's; a partner user changes only
 * its own, which its wallet pays, and reads the program's that concern it (permissions' partnerAlsoReads). The page shows the seed's commitment from the start,
 * the prizes left, and the seed itself once the campaign is over. Checked by engagement/instant-win-form.
 */
export function instantWinResource(dataSource: DataSource): ResourceWithOptions {
  const save = (name: 'new' | 'edit') => ({
    // A partner user reads the program's campaigns that concern it, and changes only its own.
    isAccessible: allowed('InstantWinCampaign', name, (context) => {
      const user = staff(context)!;
      return user.role !== 'partner_user' || !context.record || context.record.params.partnerId === user.partnerId;
    }),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      if (request.method !== 'post') {
        if (!id) return {} as ActionResponse;
        const record = context.record!.toJSON(context.currentAdmin);
        await withFigures(dataSource, context, record.params);
        return { record };
      }
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const saved = await inTransaction(dataSource, async (m) => {
        const campaign = await saveInstantWinCampaign(m, form, editorOf(context), id);
        await audited(dataSource, context, 'InstantWinCampaign', name, campaign.id, { name: campaign.name, status: campaign.status });
        return campaign;
      }).catch(refusedFields);
      const record = await context.resource.findOne(saved.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'InstantWinCampaign', recordId: saved.id, actionName: 'show' }),
        notice: { message: `${saved.name} is saved`, type: 'success' },
      };
    },
  });
  return {
    resource: InstantWinCampaign,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'partnerId', 'mode', 'prizePoints', 'prizesWon', 'prizesLeft', 'drawCount', 'endsAt', 'status'],
      showProperties: [
        ...editProperties,
        'prizesWon',
        'prizesLeft',
        'pointsWon',
        'pointsLeft',
        'drawCount',
        'seedCommitment',
        'revealedSeed',
        'createdAt',
        'updatedAt',
      ],
      editProperties,
      filterProperties: ['name', 'partnerId', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        partnerId: {
          reference: 'Partner',
          description: "The partner whose campaign it is (only its purchases take part). Empty: the program's own, for purchases anywhere.",
        },
        fundingPartnerId: {
          reference: 'Partner',
          description:
            "Who pays the prizes. Empty: that partner for a partner's campaign, the program's marketing account for the program's own.",
        },
        segmentId: {
          reference: 'Segment',
          description:
            "Only members of this segment take part. Empty: every member. Segments are the program's: a partner's own campaigns leave it empty.",
        },
        mode: { availableValues: choices(instantWinModeLabels) },
        status: {
          availableValues: choices(instantWinStatusLabels),
          description: 'Only a live campaign draws. Ending it reveals its seed.',
        },
        winChance: { type: 'string', description: 'With a chance: the chance of each purchase to win, in % (e.g. 5 or 0.5).' },
        winningTimeCount: {
          type: 'number',
          description: 'With winning times: how many instants are drawn in the window; the first purchase at or after each wins.',
        },
        prizePoints: { type: 'number', description: 'Points each prize pays, with the purchase.' },
        prizeBudget: { type: 'number', description: 'At most this many prizes. Give this, a budget of points, or both.' },
        pointsBudget: { type: 'number', description: 'At most this many points in prizes.' },
        prizesWon: { isVisible: listedAndShown },
        prizesLeft: { type: 'string', isVisible: listedAndShown },
        pointsWon: { isVisible: shownOnly },
        pointsLeft: { type: 'string', isVisible: shownOnly },
        drawCount: { isVisible: listedAndShown },
        seedCommitment: {
          isVisible: shownOnly,
          description: "SHA-256 of the campaign's secret seed, published before any draw: the revealed seed must hash to it.",
        },
        revealedSeed: {
          type: 'string',
          isVisible: shownOnly,
          description: 'Every draw replays from it (HMAC-SHA256 of the seed and the purchase id).',
        },
        momentsWon: { isVisible: false },
        winChancePpm: { isVisible: false },
        createdAt: { isVisible: shownOnly },
        updatedAt: { isVisible: shownOnly },
      },
      actions: {
        list: {
          isAccessible: readable('InstantWinCampaign'),
          after: async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
            for (const record of (response as ListActionResponse).records) await withFigures(dataSource, context, record.params);
            return response;
          },
        },
        search: { isAccessible: readable('InstantWinCampaign') },
        show: {
          isAccessible: readable('InstantWinCampaign'),
          after: async (response: ActionResponse, _request: ActionRequest, context: ActionContext) => {
            await withFigures(dataSource, context, (response as RecordActionResponse).record.params);
            return response;
          },
        },
        new: save('new'),
        edit: save('edit'),
        delete: closed,
        bulkDelete: closed,
      },
    },
  };
}
