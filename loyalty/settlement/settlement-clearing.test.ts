import { expect, it } from 'vitest';
import { clearPeriod, type SettlementFlow } from './settlement-clearing.js';

const parties = ['operator', 'a', 'b', 'c'];
const netOf = (statements: ReturnType<typeof clearPeriod>, party: string) => statements.find((s) => s.party === party)!.netMinor;

it('makes the funder pay the party that honoured its points, and nothing move between a party and itself', () => {
  const flows: SettlementFlow[] = [
    { kind: 'redeemed', funder: 'a', at: 'b', points: 300, transferIds: ['t1'] },
    { kind: 'redeemed', funder: 'b', at: 'b', points: 50, transferIds: ['t2'] },
    { kind: 'redeemed', funder: 'operator', at: 'c', points: 20, transferIds: ['t3'] },
  ];
  const statements = clearPeriod(parties, flows, { clearingValueMinor: 0.5, breakageOperatorSharePercent: 0 });
  const b = statements.find((s) => s.party === 'b')!;
  expect(b).toMatchObject({ redeemedAtPoints: 350, redeemedAtValueMinor: 150, netMinor: 150 });
  expect(b.lines.map((l) => [l.kind, l.counterparty, l.amountMinor])).toEqual([
    ['redeemed_at', 'a', 150],
    ['redeemed_at', 'b', 0],
  ]);
  expect(statements.find((s) => s.party === 'a')).toMatchObject({
    redeemedElsewherePoints: 300,
    redeemedElsewhereValueMinor: 150,
    netMinor: -150,
  });
  expect([netOf(statements, 'operator'), netOf(statements, 'c')]).toEqual([-10, 10]);
});

it('rounds each amount between two parties once, so the coalition nets to exactly zero', () => {
  const flows: SettlementFlow[] = [];
  for (let i = 1; i <= 40; i++) {
    const funder = parties[i % 4]!;
    flows.push({ kind: 'redeemed', funder, at: parties[(i * 7) % 4]!, points: i * 13 + 1, transferIds: [`r${i}`] });
    flows.push({ kind: 'breakage', funder, points: i * 3 + 1, transferIds: [`e${i}`] });
  }
  const statements = clearPeriod(parties, flows, { clearingValueMinor: 0.3333, breakageOperatorSharePercent: 33.33 });
  expect(statements.reduce((total, s) => total + s.netMinor, 0)).toBe(0);
  for (const s of statements) expect(s.lines.reduce((total, l) => total + l.amountMinor, 0)).toBe(s.netMinor);
});

it("takes the operator's share of a partner's breakage, half away from zero, and none of its own", () => {
  const flows: SettlementFlow[] = [
    { kind: 'breakage', funder: 'a', points: 5, transferIds: ['e1'] },
    { kind: 'breakage', funder: 'operator', points: 100, transferIds: ['e2'] },
  ];
  const statements = clearPeriod(parties, flows, { clearingValueMinor: 1, breakageOperatorSharePercent: 50 });
  // 5 points × 1 cent × 50% = 2.5 cents: 3.
  expect(statements.find((s) => s.party === 'a')).toMatchObject({
    breakagePoints: 5,
    breakageValueMinor: 5,
    breakageOperatorShareMinor: 3,
    netMinor: -3,
  });
  expect(statements.find((s) => s.party === 'operator')).toMatchObject({ breakagePoints: 100, breakageOperatorShareMinor: 3, netMinor: 3 });
});

it('refuses flows of a party it was not told of rather than lose them', () => {
  expect(() =>
    clearPeriod(parties, [{ kind: 'issued', funder: 'zz', points: 1, transferIds: ['t'] }], {
      clearingValueMinor: 1,
      breakageOperatorSharePercent: 0,
    }),
  ).toThrow(/party that does not exist: zz/);
});
