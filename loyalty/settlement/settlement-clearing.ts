import { operatorParty, type SettlementLineKind } from '../../entities/index.js';

/**
 * What the ledger says happened in a period, per funder of the points (a partner's id, or
 * `operator` for the program's own points): points issued, honoured at a party, or expired; net of
 * reversals, so a figure may be negative. `transferIds` are the transfers behind the points.
 */
export type SettlementFlow =
  | { kind: 'issued'; funder: string; points: number; transferIds: string[] }
  | { kind: 'redeemed'; funder: string; at: string; points: number; transferIds: string[] }
  | { kind: 'breakage'; funder: string; points: number; transferIds: string[] };

export interface ClearingRates {
  /** What a redeemed point is worth, in minor units (four decimals at most). */
  clearingValueMinor: number;
  /** The share of breakage's value the operator keeps (two decimals at most). */
  breakageOperatorSharePercent: number;
}

export interface ClearedLine {
  kind: SettlementLineKind;
  counterparty: string | null;
  points: number;
  valueMinor: number;
  amountMinor: number;
  transferIds: string[];
}

export interface ClearedStatement {
  party: string;
  issuedPoints: number;
  issuedValueMinor: number;
  redeemedAtPoints: number;
  redeemedAtValueMinor: number;
  redeemedElsewherePoints: number;
  redeemedElsewhereValueMinor: number;
  breakagePoints: number;
  breakageValueMinor: number;
  breakageOperatorShareMinor: number;
  netMinor: number;
  lines: ClearedLine[];
}

/** n / d rounded to the nearest integer, halves away from zero. */
function divideRounded(n: bigint, d: bigint): number {
  const quotient = n / d;
  const twiceRest = 2n * (n % d);
  const away = twiceRest >= d ? 1n : twiceRest <= -d ? -1n : 0n;
  return Number(quotient + away);
}

const kindOrder: SettlementLineKind[] = ['issued', 'redeemed_at', 'redeemed_elsewhere', 'breakage', 'breakage_share'];

/**
 * Each party's statement for the flows of a period. Every amount that moves between two parties
 * (what a funder owes the party that honoured its points; a funder's breakage share for the
 * operator) is rounded once, half away from zero, and written with that same integer on both
 * statements, so the coalition's nets sum to exactly zero. Between a party and itself nothing moves.
 */
export function clearPeriod(parties: string[], flows: SettlementFlow[], rates: ClearingRates): ClearedStatement[] {
  const valuePer10k = BigInt(Math.round(rates.clearingValueMinor * 10_000));
  const shareBasisPoints = BigInt(Math.round(rates.breakageOperatorSharePercent * 100));
  const valueOf = (points: number) => divideRounded(BigInt(points) * valuePer10k, 10_000n);
  const shareOf = (points: number) => divideRounded(BigInt(points) * valuePer10k * shareBasisPoints, 100_000_000n);

  const lines = new Map<string, ClearedLine[]>(parties.map((party) => [party, []]));
  const add = (party: string, line: ClearedLine) => {
    const own = lines.get(party);
    if (!own) throw new Error(`The ledger names a party that does not exist: ${party} (transfers ${line.transferIds.join(', ')})`);
    own.push(line);
  };
  for (const flow of flows) {
    const value = valueOf(flow.points);
    const transferIds = flow.transferIds;
    if (flow.kind === 'issued') {
      add(flow.funder, { kind: 'issued', counterparty: null, points: flow.points, valueMinor: value, amountMinor: 0, transferIds });
    } else if (flow.kind === 'redeemed') {
      const own = flow.funder === flow.at;
      add(flow.at, {
        kind: 'redeemed_at',
        counterparty: flow.funder,
        points: flow.points,
        valueMinor: value,
        amountMinor: own ? 0 : value,
        transferIds,
      });
      if (!own) {
        add(flow.funder, {
          kind: 'redeemed_elsewhere',
          counterparty: flow.at,
          points: flow.points,
          valueMinor: value,
          amountMinor: -value,
          transferIds,
        });
      }
    } else {
      const own = flow.funder === operatorParty;
      const share = own ? 0 : shareOf(flow.points);
      add(flow.funder, {
        kind: 'breakage',
        counterparty: operatorParty,
        points: flow.points,
        valueMinor: value,
        amountMinor: -share,
        transferIds,
      });
      if (!own) {
        add(operatorParty, {
          kind: 'breakage_share',
          counterparty: flow.funder,
          points: flow.points,
          valueMinor: value,
          amountMinor: share,
          transferIds,
        });
      }
    }
  }

  return parties.map((party) => {
    const own = lines
      .get(party)!
      .sort((a, b) => kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || (a.counterparty ?? '').localeCompare(b.counterparty ?? ''));
    const of = (kind: SettlementLineKind) => own.filter((line) => line.kind === kind);
    const sum = (selected: ClearedLine[], pick: (line: ClearedLine) => number) => selected.reduce((total, line) => total + pick(line), 0);
    const breakageShare =
      party === operatorParty ? sum(of('breakage_share'), (l) => l.amountMinor) : -sum(of('breakage'), (l) => l.amountMinor);
    return {
      party,
      issuedPoints: sum(of('issued'), (l) => l.points),
      issuedValueMinor: sum(of('issued'), (l) => l.valueMinor),
      redeemedAtPoints: sum(of('redeemed_at'), (l) => l.points),
      redeemedAtValueMinor: sum(of('redeemed_at'), (l) => l.amountMinor),
      redeemedElsewherePoints: sum(of('redeemed_elsewhere'), (l) => l.points),
      redeemedElsewhereValueMinor: -sum(of('redeemed_elsewhere'), (l) => l.amountMinor),
      breakagePoints: sum(of('breakage'), (l) => l.points),
      breakageValueMinor: sum(of('breakage'), (l) => l.valueMinor),
      breakageOperatorShareMinor: breakageShare,
      netMinor: sum(own, (l) => l.amountMinor),
      lines: own,
    };
  });
}
