import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Leaderboard } from '../entities/index.js';
import {
  LeaderboardRefusedError,
  leaderboardMetricLabels,
  leaderboardPeriodLabels,
  leaderboardStatusLabels,
  prizesText,
  saveLeaderboard,
  type LeaderboardEditor,
} from '../loyalty/engagement/leaderboard-form.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const shownOnly = { list: true, filter: false, show: true, edit: false };

function editorOf(context: ActionContext): LeaderboardEditor {
  const user = staff(context)!;
  return user.role === 'partner_user' ? { kind: 'partner', partnerId: user.partnerId! } : { kind: 'operator' };
}

/** The problems of a refused form, each under its field. */
function refusedFields(error: unknown): never {
  if (!(error instanceof LeaderboardRefusedError)) throw error;
  throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/**
 * Prizes read as they are written in the form ("1: 1000, 2-3: 500"), not as the stored list: on
 * the edit page too, so that saving the form unchanged keeps them.
 */
function prizesShown(response: ActionResponse): ActionResponse {
  for (const record of [response.record, ...(response.records ?? [])].filter(Boolean)) {
    const params = record.params as Record<string, unknown>;
    const prizes: Record<string, Record<string, number>> = {};
    for (const [key, value] of Object.entries(params)) {
      if (!/^prizes\.\d+\./.test(key)) continue;
      const [, index, field] = key.split('.') as [string, string, string];
      (prizes[index] ??= {})[field] = Number(value);
      delete params[key];
    }
    params.prizes = prizesText(Object.values(prizes) as never);
  }
  return response;
}

/** What a leaderboard is made of, in the order the form asks for it. */
const editProperties = [
  'name',
  'description',
  'partnerId',
  'metric',
  'challengeId',
  'period',
  'timeZone',
  'startsAt',
  'endsAt',
  'segmentId',
  'companyId',
  'prizes',
  'fundingPartnerId',
  'status',
];

/**
 * Leaderboards in the back office, like challenges: the operator's staff set up the program's and
 * any partner's; a partner user sees and changes only its own, whose prizes its wallet pays.
 * Partners, challenges, segments and companies are picked by name; prizes are written as
 * "1: 1000, 2-3: 500". Checked by engagement/leaderboard-form.
 */
export function leaderboardResource(dataSource: DataSource): ResourceWithOptions {
  const save = (name: 'new' | 'edit') => ({
    isAccessible: allowed('Leaderboard', name),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      if (request.method !== 'post')
        return id ? prizesShown({ record: context.record!.toJSON(context.currentAdmin) }) : ({} as ActionResponse);
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const saved = await inTransaction(dataSource, async (m) => {
        const board = await saveLeaderboard(m, form, editorOf(context), id);
        await audited(dataSource, context, 'Leaderboard', name, board.id, { name: board.name, status: board.status });
        return board;
      }).catch(refusedFields);
      const record = await context.resource.findOne(saved.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Leaderboard', recordId: saved.id, actionName: 'show' }),
        notice: { message: `${saved.name} is saved`, type: 'success' },
      };
    },
  });
  return {
    resource: Leaderboard,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'partnerId', 'metric', 'period', 'status'],
      showProperties: [...editProperties, 'createdAt', 'updatedAt'],
      editProperties,
      filterProperties: ['name', 'partnerId', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        partnerId: {
          reference: 'Partner',
          description:
            "The partner whose leaderboard it is (private to it, ranking its customers' points there only). Empty: the program's own.",
        },
        fundingPartnerId: {
          reference: 'Partner',
          description:
            "Who pays the prizes. Empty: that partner for a partner's leaderboard, the program's marketing account for the program's own.",
        },
        challengeId: {
          reference: 'Challenge',
          description: "For a challenge's progress: the challenge (its periods and time zone must match).",
        },
        segmentId: {
          reference: 'Segment',
          description:
            "Only members of this segment rank. Empty: every member. Segments are the program's: a partner's own leaderboards leave it empty.",
        },
        companyId: {
          reference: 'Company',
          description:
            "Only this company's employees rank. Empty: every member. Companies are the program's: a partner's own leaderboards leave it empty.",
        },
        metric: { availableValues: choices(leaderboardMetricLabels) },
        period: { availableValues: choices(leaderboardPeriodLabels) },
        status: { availableValues: choices(leaderboardStatusLabels), description: 'Only a live leaderboard ranks events.' },
        prizes: {
          type: 'string',
          description:
            'Points by final place, e.g. "1: 1000, 2-3: 500, 4-10: 100". Equal scores share a rank; of them, who got there first takes the better place.',
        },
        timeZone: { description: 'Weeks and months are cut in this time zone (IANA), e.g. Europe/Amsterdam.' },
        createdAt: { isVisible: shownOnly },
        updatedAt: { isVisible: shownOnly },
      },
      actions: {
        list: { isAccessible: readable('Leaderboard'), after: prizesShown },
        search: { isAccessible: readable('Leaderboard') },
        show: { isAccessible: readable('Leaderboard'), after: prizesShown },
        new: save('new'),
        edit: save('edit'),
        delete: closed,
        bulkDelete: closed,
      },
    },
  };
}
