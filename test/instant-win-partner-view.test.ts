import { expect, it } from 'vitest';
import { InstantWinCampaign } from '../entities/index.js';
import { saveInstantWinCampaign } from '../loyalty/engagement/instant-win-form.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { demoBackOffice } from './support/demo-back-office.js';

const demo = demoBackOffice('instant-win-partner-view-test');
const { post, get, partnerIds, operator, partner } = demo;
const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const form = {
  mode: 'probability',
  winChance: '5',
  startsAt: hours(-1),
  endsAt: hours(48),
  prizePoints: '50',
  prizeBudget: '10',
  status: 'live',
};

it("shows a partner user, read-only, the program's campaigns that run at its store or that it pays for; never another partner's", async () => {
  const db = demo.harness.db.dataSource;
  const save = (fields: Record<string, string>) =>
    inTransaction(db, (m) => saveInstantWinCampaign(m, { ...form, ...fields }, { kind: 'operator' }));
  const programs = await save({ name: 'Program moments' });
  const paidByKoffie = await save({ name: 'Program moments paid by Koffie', fundingPartnerId: partnerIds.koffie, status: 'draft' });
  const programDraft = await save({ name: 'Program draft', status: 'draft' });
  const paidByFitapp = await save({ name: 'Program moments paid by FitApp', fundingPartnerId: partnerIds.fitapp });
  const fitapps = await save({ name: 'FitApp moments', partnerId: partnerIds.fitapp });
  const koffies = await save({ name: 'Koffie moments', partnerId: partnerIds.koffie });
  const mine = [programs.id, paidByKoffie.id, paidByFitapp.id, koffies.id].sort();
  const ours = [programs, paidByKoffie, programDraft, paidByFitapp, fitapps, koffies].map((c) => c.id);

  const listed = await get(partner, '/resources/InstantWinCampaign/actions/list?perPage=100');
  expect(listed.status).toBe(200);
  const ids = listed.body.records.map((r: { id: string }) => r.id).filter((id: string) => ours.includes(id));
  expect(ids.sort()).toEqual(mine);
  expect(listed.body.meta.total).toBe(4);
  // Its own may be changed; the program's are read-only.
  const actionsOf = (id: string) =>
    listed.body.records.find((r: { id: string }) => r.id === id).recordActions.map((a: { name: string }) => a.name) as string[];
  expect(actionsOf(koffies.id)).toContain('edit');
  expect(actionsOf(programs.id)).not.toContain('edit');

  const shown = await get(partner, `/resources/InstantWinCampaign/records/${programs.id}/show`);
  expect(shown.status).toBe(200);
  expect(shown.body.record.params).toMatchObject({ name: 'Program moments', revealedSeed: 'kept secret until the campaign ends' });
  expect(JSON.stringify(shown.body)).not.toMatch(/"seed"/);
  expect((await get(partner, `/resources/InstantWinCampaign/records/${paidByKoffie.id}/show`)).body.record.params.name).toBe(
    'Program moments paid by Koffie',
  );
  // It runs at its store too, paid by another partner: which one is not its business.
  const otherPayer = await get(partner, `/resources/InstantWinCampaign/records/${paidByFitapp.id}/show`);
  expect(otherPayer.body.record.params).toMatchObject({ name: 'Program moments paid by FitApp', fundingPartnerId: 'another partner' });
  expect(JSON.stringify(otherPayer.body)).not.toContain(partnerIds.fitapp);
  // Another partner's, and the program's draft it does not pay for: as if they did not exist.
  for (const hidden of [fitapps, programDraft]) {
    const answer = await get(partner, `/resources/InstantWinCampaign/records/${hidden.id}/show`);
    expect(JSON.stringify(answer.body)).not.toContain(hidden.name);
  }
  const searched = await get(partner, '/resources/InstantWinCampaign/search/moments');
  const found = searched.body.records.map((r: { id: string }) => r.id).filter((id: string) => ours.includes(id));
  expect(found.sort()).toEqual(mine);
  // Nor does a search, a list, or a filter on the payer tell which partner pays.
  expect(JSON.stringify(searched.body)).not.toContain(partnerIds.fitapp);
  expect(JSON.stringify((await get(partner, '/resources/InstantWinCampaign/actions/list?perPage=500')).body)).not.toContain(
    partnerIds.fitapp,
  );
  const byPayer = await get(partner, `/resources/InstantWinCampaign/actions/list?filters.fundingPartnerId=${partnerIds.fitapp}`);
  expect(byPayer.body.records).toEqual([]);
  // A filter on the owner keeps to what it may see.
  const filtered = await get(partner, `/resources/InstantWinCampaign/actions/list?filters.partnerId=${partnerIds.fitapp}`);
  expect(filtered.body.records).toEqual([]);

  // Read-only: editing the program's campaign through AdminJS's own API is refused, nothing changes.
  for (const target of [programs, paidByKoffie]) {
    const edited = await post(partner, `/resources/InstantWinCampaign/records/${target.id}/edit`, { ...form, name: 'Taken over' });
    expect(edited.status).toBe(403);
    expect((await db.manager.findOneByOrFail(InstantWinCampaign, { id: target.id })).name).toBe(target.name);
  }
  const ownEdit = await post(partner, `/resources/InstantWinCampaign/records/${koffies.id}/edit`, {
    ...form,
    name: 'Koffie moments, renamed',
  });
  expect(ownEdit.body.notice).toMatchObject({ type: 'success' });

  // The operator's staff see them all, as before.
  const all = await get(operator, '/resources/InstantWinCampaign/actions/list?perPage=100');
  expect(all.body.records.map((r: { id: string }) => r.id).filter((id: string) => ours.includes(id))).toHaveLength(6);
  await db.manager.update(InstantWinCampaign, ours, { status: 'ended' });
}, 120_000);
