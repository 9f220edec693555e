import { expect, it } from 'vitest';
import { Badge } from '../entities/index.js';
import { demoBackOffice } from './support/demo-back-office.js';
import { validChallengeForm } from './support/challenge-form.js';

const demo = demoBackOffice('badges-back-office-test');
const { post, get, partnerIds, operator, partner } = demo;
const valid = {
  name: 'Regular',
  description: 'Five purchases',
  emblem: 'trophy',
  colour: '#2e7d32',
  rule: 'purchase_count',
  threshold: '5',
  status: 'live',
};

it('saves badges from the back office, names the field of a bad input, and keeps partners to their own', async () => {
  const manager = demo.harness.db.dataSource.manager;
  for (const [fields, field, message] of [
    [{ name: ' ' }, 'name', /required/],
    [{ emblem: 'https://evil.example/x.png' }, 'emblem', /one of/],
    [{ colour: 'red;background:url(x)' }, 'colour', /colour such as/],
    [{ rule: 'steps' }, 'rule', /one of/],
    [{ threshold: '0' }, 'threshold', /whole number from 1/],
    [{ rule: 'first_purchase', threshold: '3' }, 'threshold', /only a number of purchases/],
    [{ partnerId: '00000000-0000-4000-8000-000000000000' }, 'partnerId', /choose a partner/],
  ] as [Record<string, string>, string, RegExp][]) {
    const answer = await post(operator, '/resources/Badge/actions/new', { ...valid, ...fields });
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.record?.errors?.[field]?.message, `${field} for ${JSON.stringify(fields)}`).toMatch(message);
  }
  expect(await manager.count(Badge)).toBe(0);

  // The operator sets up FitApp's badge and the program's; Koffie Corner's user its own, whatever its form says.
  expect(
    (await post(operator, '/resources/Badge/actions/new', { ...valid, name: 'FitApp fan', partnerId: partnerIds.fitapp })).body.notice,
  ).toMatchObject({
    type: 'success',
  });
  expect(
    (await post(operator, '/resources/Badge/actions/new', { ...valid, name: 'Challenger', rule: 'challenge', threshold: '' })).body.notice,
  ).toMatchObject({ type: 'success' });
  expect(
    (await post(partner, '/resources/Badge/actions/new', { ...valid, name: 'Koffie regular', partnerId: partnerIds.fitapp })).body.notice,
  ).toMatchObject({
    type: 'success',
  });
  const byName = Object.fromEntries((await manager.find(Badge)).map((b) => [b.name, b]));
  expect(byName['Koffie regular']!.partnerId).toBe(partnerIds.koffie);
  expect(byName['Challenger']!.partnerId).toBeNull();

  // The partner user sees only its own: not FitApp's (list, show, edit), nor the program's in its list.
  const theirs = await get(partner, '/resources/Badge/actions/list');
  expect(theirs.body.records.map((r: { id: string }) => r.id)).toEqual([byName['Koffie regular']!.id]);
  const fitapp = byName['FitApp fan']!;
  const shown = await get(partner, `/resources/Badge/records/${fitapp.id}/show`);
  expect(JSON.stringify(shown.body)).not.toContain('FitApp fan');
  const search = await get(partner, `/resources/Badge/search/FitApp`);
  expect(JSON.stringify(search.body)).not.toContain('FitApp fan');
  await post(partner, `/resources/Badge/records/${fitapp.id}/edit`, { ...valid, name: 'Taken over' });
  expect((await manager.findOneByOrFail(Badge, { id: fitapp.id })).name).toBe('FitApp fan');

  // A challenge picks its badge by name; a program challenge cannot award a partner's badge.
  const list = await get(operator, '/resources/Badge/actions/list');
  expect(list.body.records.find((r: { id: string }) => r.id === fitapp.id).populated.partnerId.title).toBe('FitApp');
  const wrong = await post(operator, '/resources/Challenge/actions/new', { ...validChallengeForm, badgeId: fitapp.id });
  expect(wrong.body.record?.errors?.badgeId?.message).toMatch(/program's badges/);
  const unknown = await post(operator, '/resources/Challenge/actions/new', { ...validChallengeForm, badgeId: 'gold' });
  expect(unknown.body.record?.errors?.badgeId?.message).toMatch(/choose a badge/);
  const right = await post(operator, '/resources/Challenge/actions/new', { ...validChallengeForm, badgeId: byName['Challenger']!.id });
  expect(right.body.notice).toMatchObject({ type: 'success' });
  const shownChallenge = await get(operator, `/resources/Challenge/records/${right.body.record.id}/show`);
  expect(shownChallenge.body.record.populated.badgeId.title).toBe('Challenger');
}, 180_000);
