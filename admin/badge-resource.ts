import { ValidationError, type ActionContext, type ActionRequest, type ActionResponse, type ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Badge } from '../entities/index.js';
import { BadgeRefusedError, badgeRuleLabels, badgeStatusLabels, saveBadge, type BadgeEditor } from '../loyalty/engagement/badge-form.js';
import { emblemLabels } from '../loyalty/engagement/emblems.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const closed = { isAccessible: () => false };
const choices = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const shownOnly = { list: true, filter: false, show: true, edit: false };

function editorOf(context: ActionContext): BadgeEditor {
  const user = staff(context)!;
  return user.role === 'partner_user' ? { kind: 'partner', partnerId: user.partnerId! } : { kind: 'operator' };
}

/** The problems of a refused form, each under its field. */
function refusedFields(error: unknown): never {
  if (!(error instanceof BadgeRefusedError)) throw error;
  throw new ValidationError(Object.fromEntries(Object.entries(error.problems).map(([field, message]) => [field, { message }])), {
    message: 'Please correct the highlighted fields',
  });
}

/** What a badge is made of, in the order the form asks for it. */
const editProperties = ['name', 'description', 'partnerId', 'emblem', 'colour', 'rule', 'threshold', 'status'];

/**
 * Badges in the back office: the operator's staff set up the program's and any partner's; a partner
 * user sees and changes only its own. The image is one of the shipped emblems in a colour, picked
 * from a list: nothing is uploaded or fetched. Checked by engagement/badge-form.
 */
export function badgeResource(dataSource: DataSource): ResourceWithOptions {
  const save = (name: 'new' | 'edit') => ({
    isAccessible: allowed('Badge', name),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      if (request.method !== 'post') return id ? { record: context.record!.toJSON(context.currentAdmin) } : ({} as ActionResponse);
      const form = (request.payload ?? {}) as Record<string, unknown>;
      const saved = await inTransaction(dataSource, async (m) => {
        const badge = await saveBadge(m, form, editorOf(context), id);
        await audited(dataSource, context, 'Badge', name, badge.id, { name: badge.name, status: badge.status });
        return badge;
      }).catch(refusedFields);
      const record = await context.resource.findOne(saved.id, context);
      return {
        record: record!.toJSON(context.currentAdmin),
        redirectUrl: context.h.recordActionUrl({ resourceId: 'Badge', recordId: saved.id, actionName: 'show' }),
        notice: { message: `${saved.name} is saved`, type: 'success' },
      };
    },
  });
  return {
    resource: Badge,
    options: {
      navigation: navigation.program,
      listProperties: ['name', 'partnerId', 'emblem', 'rule', 'threshold', 'status'],
      showProperties: [...editProperties, 'createdAt', 'updatedAt'],
      editProperties,
      filterProperties: ['name', 'partnerId', 'status'],
      sort: { sortBy: 'createdAt', direction: 'desc' },
      properties: {
        description: { type: 'textarea', description: 'What the member did to earn it, shown under its name on their dashboard.' },
        partnerId: {
          reference: 'Partner',
          description: "The partner whose badge it is (private to it, counting its purchases only). Empty: the program's own.",
        },
        emblem: { availableValues: choices(emblemLabels), description: 'The picture members see, drawn in the colour below.' },
        colour: { description: 'The emblem’s colour as #rrggbb, e.g. #c27c0e (gold) or #2e7d32 (green).' },
        rule: { availableValues: choices(badgeRuleLabels), description: 'What earns it. A challenge can award any badge too.' },
        threshold: { type: 'number', description: 'For a number of purchases or of partners: how many.' },
        status: { availableValues: choices(badgeStatusLabels), description: 'Only a live badge is awarded by its rule.' },
        createdAt: { isVisible: shownOnly },
        updatedAt: { isVisible: shownOnly },
      },
      actions: {
        list: { isAccessible: readable('Badge') },
        search: { isAccessible: readable('Badge') },
        show: { isAccessible: readable('Badge') },
        new: save('new'),
        edit: save('edit'),
        delete: closed,
        bulkDelete: closed,
      },
    },
  };
}
