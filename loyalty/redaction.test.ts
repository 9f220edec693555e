import { expect, it } from 'vitest';
import { redacted, type PersonalData } from './redaction.js';

const ann: PersonalData = {
  replacements: new Map([
    ['ann-at-shop', 'erased-0a1b2c3d4e5f'],
    ['ann@example.test', '[erased]'],
    ['+33612345678', '[erased]'],
    ['ann archer', '[erased]'],
  ]),
  anywhere: ['ann@example.test', '+33612345678'],
  theirs: ['Ann Archer', 'ann-at-shop'],
};

it('replaces whole values that name the person, wherever they are in a record about them', () => {
  const payload = { event: 'points.earned', data: { member: 'ann-at-shop', points: 12, lines: ['ANN@example.test', 'Ann Archer'] } };
  expect(redacted(payload, ann, 'theirs')).toEqual({
    event: 'points.earned',
    data: { member: 'erased-0a1b2c3d4e5f', points: 12, lines: ['[erased]', '[erased]'] },
  });
});

it('replaces addresses inside anyone’s text, and names and ids only inside records about them', () => {
  const note = 'Ann Archer (ann@example.test, +33612345678) called about ann-at-shop';
  expect(redacted(note, ann, 'anyone')).toBe('Ann Archer ([erased], [erased]) called about ann-at-shop');
  expect(redacted({ member: 'ann-at-shop', name: 'Ann Archer', to: '+33612345678' }, ann, 'anyone')).toEqual({
    member: 'ann-at-shop',
    name: 'Ann Archer',
    to: '[erased]',
  });
  expect(redacted(note, ann, 'theirs')).toBe('[erased] ([erased], [erased]) called about erased-0a1b2c3d4e5f');
});

it('leaves what does not name them as it was, the same object when nothing changed', () => {
  const other = { member: 'bob-at-shop', note: 'Bob Baker', points: 3, when: null };
  expect(redacted(other, ann, 'theirs')).toBe(other);
});

it('matches short names and ids as whole values only, so that "Al" does not eat "Alice"', () => {
  const al: PersonalData = { replacements: new Map([['al', '[erased]']]), anywhere: [], theirs: ['Al'] };
  expect(redacted({ name: 'Al', note: 'Alice met Al' }, al, 'theirs')).toEqual({ name: '[erased]', note: 'Alice met Al' });
});

it('never rewrites part of an id, a longer word or somebody else’s address', () => {
  const numbered: PersonalData = {
    replacements: new Map([
      ['4711', 'erased-0a1b2c3d4e5f'],
      ['ann@example.test', '[erased]'],
    ]),
    anywhere: ['ann@example.test'],
    theirs: ['4711'],
  };
  const references = {
    lot: '3f2a4711-0c1e-4b7a-9d2e-5a6b7c8d9e0f',
    partner: '9c0e1f2a-4711-4c3b-8a9d-0e1f2a3b4c5d',
    note: 'Ask joann@example.test about order 47110 of 4711 (ann@example.test)',
  };
  expect(redacted(references, numbered, 'theirs')).toEqual({
    lot: references.lot,
    partner: references.partner,
    note: 'Ask joann@example.test about order 47110 of erased-0a1b2c3d4e5f ([erased])',
  });
  expect(redacted('Forwarded by joann@example.test', numbered, 'anyone')).toBe('Forwarded by joann@example.test');
});
