import type { EntityManager } from 'typeorm';
import { Segment } from '../../entities/index.js';
import { isUuid } from '../ids.js';
import { Refusal } from '../refusal.js';
import { readSegmentForm, type SegmentDraft, type SegmentForm } from './segment-form.js';

/** A segment the program will not save as asked; `problems` names each field. */
export class SegmentRefusedError extends Refusal {
  constructor(problems: Record<string, string>) {
    const [field, reason] = Object.entries(problems)[0]!;
    super('segment_refused', reason, field, { problems });
  }
}

export class SegmentNotFoundError extends Refusal {
  constructor(id: string) {
    super('segment_not_found', 'no such segment', 'segmentId', { id });
  }
}

/** What is wrong with a draft against the program's records (tiers and partners that exist, a name not taken), by field. */
async function recordProblems(
  manager: EntityManager,
  draft: SegmentDraft,
  id: string | null,
  /** What the form's own checks found already: those fields are not looked up. */
  found: Record<string, string>,
): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const { tierCodes, visitedPartnerIds } = draft.conditions;
  if (tierCodes?.length && !found.tierCodes) {
    const known = await manager.query(`SELECT code FROM tier WHERE code = ANY($1::text[])`, [tierCodes]);
    if (known.length !== tierCodes.length) problems.tierCodes = 'choose tiers from the list';
  }
  if (visitedPartnerIds?.length && !found.visitedPartnerIds) {
    const known = visitedPartnerIds.every(isUuid)
      ? await manager.query(`SELECT id FROM partner WHERE id = ANY($1::uuid[])`, [visitedPartnerIds])
      : [];
    if (known.length !== visitedPartnerIds.length) problems.visitedPartnerIds = 'choose partners from the list';
  }
  if (found.name) return problems;
  const [taken] = await manager.query(`SELECT id FROM segment WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2::uuid`, [
    draft.name,
    id,
  ]);
  if (taken) problems.name = 'another segment has this name';
  return problems;
}

async function checkedDraft(manager: EntityManager, form: SegmentForm, id: string | null): Promise<SegmentDraft> {
  const { draft, problems } = readSegmentForm(form);
  const all = { ...(await recordProblems(manager, draft, id, problems)), ...problems };
  if (Object.keys(all).length > 0) throw new SegmentRefusedError(all);
  return draft;
}

/** Saves a new segment from its form, or refuses it by field with nothing saved. */
export async function createSegment(manager: EntityManager, form: SegmentForm, createdBy: string): Promise<Segment> {
  const draft = await checkedDraft(manager, form, null);
  return manager.save(manager.create(Segment, { ...draft, createdBy }));
}

/** Changes a segment's name, description or conditions; campaigns using it follow at once. */
export async function updateSegment(manager: EntityManager, id: string, form: SegmentForm): Promise<Segment> {
  const segment = isUuid(id) ? await manager.findOneBy(Segment, { id }) : null;
  if (!segment) throw new SegmentNotFoundError(id);
  const draft = await checkedDraft(manager, form, id);
  Object.assign(segment, draft);
  return manager.save(segment);
}
