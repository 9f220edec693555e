import type { ActionContext, ActionRequest, ActionResponse, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { Segment, type SegmentConditions } from '../entities/index.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { Refusal } from '../loyalty/refusal.js';
import { segmentFormOf, type SegmentForm } from '../loyalty/segments/segment-form.js';
import { segmentMembers, segmentSize } from '../loyalty/segments/segment-query.js';
import { createSegment, updateSegment } from '../loyalty/segments/segments.js';
import { segmentMembersCsv } from '../reports/segment-csv.js';
import { allowed, audited } from './back-office-actions.js';
import { navigation, readable, staff } from './resources.js';

const number = new Intl.NumberFormat('en');
const euros = new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' });
const months = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.UTC(2000, i, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' }),
);
const closed = { isAccessible: () => false };

/** The names the segment form offers: tiers and partners. */
async function segmentOptions(dataSource: DataSource) {
  return {
    tiers: await dataSource.query(`SELECT code, name FROM tier ORDER BY threshold`),
    partners: await dataSource.query(`SELECT id, name FROM partner ORDER BY name`),
  };
}

/** A segment's conditions in words, with names for tiers and partners. */
async function inWords(dataSource: DataSource, c: SegmentConditions): Promise<string> {
  const names = async (table: 'tier' | 'partner', key: 'code' | 'id', values: string[]) =>
    (await dataSource.query(`SELECT name FROM ${table} WHERE ${key}::text = ANY($1::text[]) ORDER BY name`, [values])).map(
      (r: { name: string }) => r.name,
    );
  const parts: string[] = [];
  if (c.tierCodes?.length) parts.push(`in ${(await names('tier', 'code', c.tierCodes)).join(' or ')}`);
  if (c.balanceMin != null && c.balanceMax != null)
    parts.push(`${number.format(c.balanceMin)} to ${number.format(c.balanceMax)} points available`);
  else if (c.balanceMin != null) parts.push(`at least ${number.format(c.balanceMin)} points available`);
  else if (c.balanceMax != null) parts.push(`at most ${number.format(c.balanceMax)} points available`);
  if (c.activeWithinDays != null) parts.push(`active in the last ${c.activeWithinDays} days`);
  if (c.inactiveForDays != null) parts.push(`inactive for ${c.inactiveForDays} days or more`);
  if (c.visitedPartnerIds?.length) parts.push(`visited ${(await names('partner', 'id', c.visitedPartnerIds)).join(' or ')}`);
  if (c.spendDays != null && (c.spendMinCents != null || c.spendMaxCents != null)) {
    const low = c.spendMinCents != null ? euros.format(c.spendMinCents / 100) : null;
    const high = c.spendMaxCents != null ? euros.format(c.spendMaxCents / 100) : null;
    const range = low && high ? `${low} to ${high}` : low ? `at least ${low}` : `at most ${high}`;
    parts.push(`spent ${range} in the last ${c.spendDays} days`);
  }
  if (c.birthdayMonth != null) parts.push(`born in ${months[c.birthdayMonth - 1]}`);
  if (c.emailOptIn) parts.push('take offers by email');
  if (c.smsOptIn) parts.push('take offers by text message');
  return parts.length > 0 ? `Members ${parts.join(', ')}` : 'Every member';
}

async function described(dataSource: DataSource, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const segment = await dataSource.manager.findOneBy(Segment, { id: String(params.id) });
  if (!segment) return params;
  const size = await segmentSize(dataSource.manager, segment.conditions);
  return {
    ...params,
    size: `${number.format(size)} ${size === 1 ? 'member' : 'members'} now`,
    rules: await inWords(dataSource, segment.conditions),
  };
}

const asErrors = (problems: Record<string, string>) => Object.fromEntries(Object.entries(problems).map(([k, m]) => [k, { message: m }]));

/**
 * Saved audiences: conditions on members (segment-form), their live size, used by campaigns and
 * exported as CSV. Program staff only: partners' own segments are not part of this yet.
 */
export function segmentResource(dataSource: DataSource, components: { segmentForm: string; segmentExport: string }): ResourceWithOptions {
  /** The new and edit actions: the form asks for the names, counts members as typed, then saves. */
  const form = (name: 'new' | 'edit') => ({
    isAccessible: allowed('Segment', name),
    component: components.segmentForm,
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const id = name === 'edit' ? String(context.record!.params.id) : null;
      // A record action answers with its record, whatever else it says.
      const record = context.record?.toJSON(context.currentAdmin);
      if (request.method !== 'post') {
        const saved = id ? await dataSource.manager.findOneBy(Segment, { id }) : null;
        return {
          options: await segmentOptions(dataSource),
          form: saved ? segmentFormOf(saved) : null,
          record,
        } as unknown as ActionResponse;
      }
      let sent: SegmentForm;
      try {
        sent = JSON.parse(String(request.payload?.segment ?? '{}'));
        if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) throw new TypeError('not a form');
      } catch {
        return { record, errors: { name: { message: 'the form could not be read: open it again' } } } as unknown as ActionResponse;
      }
      const counting = request.payload?.intent === 'count';
      try {
        // Counting saves nothing: the segment is checked and counted in a transaction rolled back.
        const saved = await inTransaction(dataSource, async (manager) => {
          const segment = id ? await updateSegment(manager, id, sent) : await createSegment(manager, sent, staff(context)!.email);
          if (counting) throw new SizeOnly(await segmentSize(manager, segment.conditions));
          await audited(dataSource, context, 'Segment', name, segment.id, { name: segment.name, conditions: segment.conditions });
          return segment;
        });
        return {
          record,
          redirectUrl: context.h.recordActionUrl({ resourceId: 'Segment', recordId: saved.id, actionName: 'show' }),
          notice: { message: `${saved.name} is saved`, type: 'success' },
        } as unknown as ActionResponse;
      } catch (error) {
        if (error instanceof SizeOnly) return { record, size: error.size, errors: {} } as unknown as ActionResponse;
        if (!(error instanceof Refusal)) throw error;
        const problems = (error.details.problems as Record<string, string> | undefined) ?? { [error.field ?? 'name']: error.reason };
        return { record, errors: asErrors(problems) } as unknown as ActionResponse;
      }
    },
  });

  return {
    resource: Segment,
    options: {
      navigation: navigation.members,
      listProperties: ['name', 'rules', 'size', 'updatedAt'],
      showProperties: ['name', 'description', 'rules', 'size', 'createdBy', 'createdAt', 'updatedAt'],
      filterProperties: ['name'],
      sort: { sortBy: 'updatedAt', direction: 'desc' },
      properties: {
        rules: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        size: { type: 'string', isVisible: { list: true, show: true, edit: false, filter: false } },
        conditions: { isVisible: false },
      },
      actions: {
        list: {
          isAccessible: readable('Segment'),
          after: async (response: ActionResponse) => {
            for (const record of response.records ?? []) record.params = await described(dataSource, record.params);
            return response;
          },
        },
        search: { isAccessible: readable('Segment') },
        show: {
          isAccessible: readable('Segment'),
          after: async (response: ActionResponse) => {
            if (response.record) response.record.params = await described(dataSource, response.record.params);
            return response;
          },
        },
        new: form('new'),
        edit: form('edit'),
        delete: closed,
        bulkDelete: closed,
        export: {
          actionType: 'record',
          icon: 'Download',
          component: components.segmentExport,
          isAccessible: allowed('Segment', 'export'),
          handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
            const record = context.record!.toJSON(context.currentAdmin);
            const segment = await dataSource.manager.findOneByOrFail(Segment, { id: String(record.params.id) });
            const members = await segmentMembers(dataSource.manager, segment.conditions);
            if (request.method !== 'post') return { record, size: members.length } as unknown as ActionResponse;
            const slug =
              segment.name
                .toLowerCase()
                .replace(/[^a-z0-9]+/g, '-')
                .replace(/^-|-$/g, '') || 'segment';
            const download = { filename: `tessera-segment-${slug}.csv`, type: 'text/csv', content: segmentMembersCsv(members) };
            await audited(dataSource, context, 'Segment', 'export', segment.id, { exported: `${members.length} members (CSV)` });
            return {
              record,
              download,
              notice: { message: `Downloaded ${members.length} members (written to the audit log)`, type: 'success' },
            } as unknown as ActionResponse;
          },
        },
      },
    },
  };
}

/** A count asked for from the form: the transaction that checked the segment is rolled back with it. */
class SizeOnly extends Error {
  constructor(readonly size: number) {
    super('counted only');
  }
}
