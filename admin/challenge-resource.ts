import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Challenge } from '../entities/index.js';
import {
  ChallengeRefusedError,
  challengeMetricLabels,
  challengePeriodLabels,
  challengeStatusLabels,
  saveChallenge,
  type ChallengeEditor,
} from '../loyalty/engagement/challenge-form.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const shownOnly = { list: true, filter: false, show: true, edit: false };

function editorOf(context: ActionContext): ChallengeEditor {
  const user = staff(context)!;
  return user.role === 'partner_user' ? { kind: 'partner', partnerId: user.partnerId! } : { kind: 'operator' };
}

/** The problems of a refused form, each under its field. */
function refusedFields(error: unknown): never {
  if (!(error instanceof ChallengeRefusedError)) throw error;
  throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/** What a challenge is made of, in the order the form asks for it. */
const editProperties = [
  'name',
  'description',
  'partnerId',
  'metric',
  'category',
  'target',
  'period',
  'timeZone',
  'startsAt',
  'endsAt',
  'segmentId',
  'rewardPoints',
  'fundingPartnerId',
  'badgeId',
  'status',
];

/**
 * Challenges in the back office: the operator's staff set up the program's (paid from its marketing
 * account or by a named partner) and any partner's; a partner user sees and changes only its own,
 * which its wallet pays. Partners and segments are picked by name. Checked by engagement/challenge-form.
 */
export function challengeResource(dataSource: DataSource, ledger: Ledger): ResourceWithOptions {
  const save = (name: 'new' | 'edit') => ({
    isAccessible: allowed('Challenge', name),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      if (request.method !== 'post') return id ? { record: context.record!.toJSON(context.currentAdmin) } : ({} as ActionResponse);
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const saved = await inTransaction(dataSource, async (m) => {
        const challenge = await saveChallenge(m, ledger, form, editorOf(context), id);
        await audited(dataSource, context, 'Challenge', name, challenge.id, { name: challenge.name, status: challenge.status });
        return challenge;
      }).catch(refusedFields);
      const record = await context.resource.findOne(saved.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Challenge', recordId: saved.id, actionName: 'show' }),
        notice: { message: `${saved.name} is saved`, type: 'success' },
      };
    },
  });
  return {
    resource: Challenge,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'partnerId', 'metric', 'target', 'period', 'rewardPoints', 'status'],
      showProperties: [...editProperties, 'createdAt', 'updatedAt'],
      editProperties,
      filterProperties: ['name', 'partnerId', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        partnerId: {
          reference: 'Partner',
          description: "The partner whose challenge it is (private to it, counting its purchases only). Empty: the program's own.",
        },
        fundingPartnerId: {
          reference: 'Partner',
          description:
            "Who pays the reward. Empty: that partner for a partner's challenge, the program's marketing account for the program's own.",
        },
        segmentId: {
          reference: 'Segment',
          description:
            "Only members of this segment take part. Empty: every member. Segments are the program's: a partner's own challenges leave it empty.",
        },
        badgeId: { reference: 'Badge', description: 'A badge the member earns on completion too. Empty: none.' },
        metric: { availableValues: choices(challengeMetricLabels) },
        period: { availableValues: choices(challengePeriodLabels) },
        status: { availableValues: choices(challengeStatusLabels), description: 'Only a live challenge counts purchases.' },
        category: { description: 'For an amount spent: only basket lines of this category count.' },
        target: {
          type: 'number',
          description: 'Purchases, amount in minor units (cents), partners, or friends referred who buy, by metric.',
        },
        rewardPoints: { type: 'number', description: 'Points paid once per member and period, on completion.' },
        timeZone: { description: 'Weeks and months are cut in this time zone (IANA), e.g. Europe/Amsterdam.' },
        createdAt: { isVisible: shownOnly },
        updatedAt: { isVisible: shownOnly },
      },
      actions: {
        list: { isAccessible: readable('Challenge') },
        search: { isAccessible: readable('Challenge') },
        show: { isAccessible: readable('Challenge') },
        new: save('new'),
        edit: save('edit'),
        delete: closed,
        bulkDelete: closed,
      },
    },
  };
}
