import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { InstantWinMode, InstantWinOutcome } from '../../entities/index.js';

/**
 * The verifiable part of winning moments, pure so that anyone holding the revealed seed can run it:
 * every random value is HMAC-SHA256(seed, key), its first 48 bits read as a fraction of 2^48.
 */

const fractionBits = 48;
const scale = 2 ** fractionBits;

/** A new campaign's secret seed (hex) and its published commitment. */
export function newSeed(): { seed: string; commitment: string } {
  const seed = randomBytes(32).toString('hex');
  return { seed, commitment: seedCommitment(seed) };
}

/** SHA-256 of the seed's bytes, hex: what the campaign publishes before any draw. */
export function seedCommitment(seed: string): string {
  return createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex');
}

/** The draw's random value in [0, 1): exact in a double, as it is stored. */
export function randomValue(seed: string, key: string): number {
  const mac = createHmac('sha256', Buffer.from(seed, 'hex')).update(key).digest();
  return mac.readUIntBE(0, 6) / scale;
}

/** Whether a value wins at a chance given in millionths: compared in whole numbers, so no rounding decides. */
export function luckyAt(value: number, winChancePpm: number): boolean {
  return BigInt(Math.floor(value * scale)) * 1_000_000n < BigInt(winChancePpm) * BigInt(scale);
}

/** The campaign's winning instants: `count` of them in [startsAt, endsAt), from the seed (keys `moment:0`, `moment:1`, …), earliest first. */
export function winningTimes(seed: string, count: number, startsAt: Date, endsAt: Date): Date[] {
  const span = endsAt.getTime() - startsAt.getTime();
  return Array.from({ length: count }, (_, i) => new Date(startsAt.getTime() + Math.floor(randomValue(seed, `moment:${i}`) * span))).sort(
    (a, b) => a.getTime() - b.getTime(),
  );
}

/** What a campaign's draws depend on besides the seed. */
export interface DrawRules {
  mode: InstantWinMode;
  winChancePpm: number | null;
  winningTimeCount: number;
  startsAt: Date;
  endsAt: Date;
  prizePoints: number;
  prizeBudget: number | null;
  pointsBudget: number | null;
}

/** The state a campaign's draws share, in the order they are made. */
export interface DrawState {
  prizesWon: number;
  pointsWon: number;
  momentsWon: number;
}

/** The outcome of the next draw from its random value (probability) or its instant (winning times), within the budget left. */
export function decideDraw(rules: DrawRules, times: Date[], state: DrawState, value: number, drawnAt: Date): InstantWinOutcome {
  const lucky =
    rules.mode === 'probability'
      ? luckyAt(value, rules.winChancePpm ?? 0)
      : state.momentsWon < times.length && times[state.momentsWon]!.getTime() <= drawnAt.getTime();
  if (!lucky) return 'lost';
  const prizeLeft =
    (rules.prizeBudget === null || state.prizesWon < rules.prizeBudget) &&
    (rules.pointsBudget === null || state.pointsWon + rules.prizePoints <= rules.pointsBudget);
  return prizeLeft ? 'won' : 'budget_spent';
}

/** The state after a draw of that outcome; a winning time is claimed only with a prize paid. */
export function afterDraw(rules: DrawRules, state: DrawState, outcome: InstantWinOutcome): DrawState {
  if (outcome !== 'won') return state;
  return {
    prizesWon: state.prizesWon + 1,
    pointsWon: state.pointsWon + rules.prizePoints,
    momentsWon: state.momentsWon + (rules.mode === 'winning_times' ? 1 : 0),
  };
}

/** A recorded draw, as the back office and the partner API publish it. */
export interface RecordedDraw {
  drawNumber: number;
  key: string;
  drawnAt: Date;
  randomValue: number;
  outcome: InstantWinOutcome;
}

export interface ReplayedDraw {
  drawNumber: number;
  key: string;
  randomValue: number;
  outcome: InstantWinOutcome;
  /** Whether the recomputed value and outcome are those recorded. */
  matches: boolean;
}

/**
 * Replays a campaign's recorded draws from its revealed seed, in draw order: each value is
 * recomputed from (seed, key) and each outcome decided again against the budget the earlier draws
 * left. Every draw `matches` exactly when the campaign drew honestly from the committed seed.
 */
export function replayDraws(seed: string, rules: DrawRules, draws: RecordedDraw[]): ReplayedDraw[] {
  const times = rules.mode === 'winning_times' ? winningTimes(seed, rules.winningTimeCount, rules.startsAt, rules.endsAt) : [];
  let state: DrawState = { prizesWon: 0, pointsWon: 0, momentsWon: 0 };
  return [...draws]
    .sort((a, b) => a.drawNumber - b.drawNumber)
    .map((draw) => {
      const value = randomValue(seed, draw.key);
      const decided = decideDraw(rules, times, state, value, draw.drawnAt);
      // A winner whose payer was short is told apart only by the ledger: the prize stayed in the budget.
      const outcome = decided === 'won' && draw.outcome === 'payer_short' ? 'payer_short' : decided;
      state = afterDraw(rules, state, outcome);
      return {
        drawNumber: draw.drawNumber,
        key: draw.key,
        randomValue: value,
        outcome,
        matches: value === draw.randomValue && outcome === draw.outcome,
      };
    });
}
