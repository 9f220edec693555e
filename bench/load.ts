import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { creditPurchasedPoints } from '../loyalty/funding.js';
import { openProgramAccounts } from '../loyalty/ledger/accounts.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { enrollMember } from '../loyalty/members.js';
import { onboardPartner } from '../loyalty/partners.js';

export interface Figure {
  tps: number;
  p50: number;
  p99: number;
  /** Share of one core this Node process used: it competes with PostgreSQL for the machine. */
  nodeCpu: number;
}

export interface BenchProgram {
  partners: { id: string; walletId: string }[];
  members: { externalId: string; accountId: string }[];
}

/** 100 well-funded partners and 1000 members, under a run-specific prefix. */
export async function setupBenchProgram(dataSource: DataSource, ledger: Ledger): Promise<BenchProgram> {
  const manager = dataSource.manager;
  await openProgramAccounts(manager);
  const run = randomUUID().slice(0, 8);
  const partners = [];
  for (let i = 0; i < 100; i++) {
    const { partner, wallet } = await onboardPartner(manager, { code: `bench-${run}-${i}`, name: `Bench partner ${i}` });
    await creditPurchasedPoints(manager, ledger, { walletAccountId: wallet.id, points: 1_000_000_000, key: `bench-${run}-${i}` });
    partners.push({ id: partner.id, walletId: wallet.id });
  }
  const members = [];
  for (let i = 0; i < 1000; i++) {
    const externalId = `bench-${run}-${i}`;
    members.push({ externalId, accountId: (await enrollMember(manager, { externalId })).account.id });
  }
  return { partners, members };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Runs `operation` from `clients` concurrent loops for `seconds`; throughput and latency. */
export async function runConcurrently(clients: number, seconds: number, operation: () => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await operation();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    tps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpu: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

/** One earn of 10 points through the ledger, as the API's events end up. */
export function ledgerEarn(ledger: Ledger, walletId: string, memberAccountId: string) {
  return ledger.transfer({
    source: 'bench',
    key: randomUUID(),
    legs: [
      {
        debitAccountId: walletId,
        creditAccountId: memberAccountId,
        amount: 10,
        kind: 'earn',
        expiresAt: new Date(Date.now() + 365 * 86_400_000),
        explanation: [{ rule: 'bench', points: 10, reason: 'benchmark earn' }],
      },
    ],
  });
}

export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [index, row] of rows.entries()) {
    console.log(`| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`);
    if (index === 0) console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  }
}

export const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One burn of 10 points from a member to the program's redemption account, as a reward's redemption ends up. */
export function ledgerBurn(ledger: Ledger, memberAccountId: string, redemptionAccountId: string) {
  return ledger.transfer({
    source: 'bench',
    key: randomUUID(),
    legs: [{ debitAccountId: memberAccountId, creditAccountId: redemptionAccountId, amount: 10, kind: 'burn' }],
  });
}
