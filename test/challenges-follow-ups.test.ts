import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProgramSettings, Segment } from '../entities/index.js';
import { forgetProgramConfiguration } from '../loyalty/earning/program-configuration.js';
import { recordEvent } from '../loyalty/earning/record-event.js';
import { ChallengeRefusedError, saveChallenge } from '../loyalty/engagement/challenge-form.js';
import { countChallengeProgress } from '../loyalty/engagement/challenge-progress.js';
import { accountByCode, programAccounts } from '../loyalty/ledger/accounts.js';
import { checkLedger } from '../loyalty/ledger/invariants.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { createProgram } from './support/program.js';

/** Follow-ups of the challenges review (issue 14 item 1): who pays, whose segments. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.dataSource.manager.insert(ProgramSettings, { id: 1, eventBackdateDays: 62 });
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

const form = {
  name: 'First purchase',
  metric: 'purchase_count',
  target: '1',
  period: 'once',
  startsAt: new Date(Date.now() - 86_400_000).toISOString(),
  endsAt: new Date(Date.now() + 86_400_000).toISOString(),
  rewardPoints: '100',
  status: 'live',
};

it("pays an operator's partner challenge left without a payer from that partner's wallet, as the field's help says", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner(10_000);
  const marketing = await accountByCode(ds.manager, programAccounts.marketing);
  const marketingBefore = await p.posted(marketing.id);
  const saved = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, partnerId: shop.partner.id }, { kind: 'operator' }));
  expect(saved.fundingPartnerId).toBe(shop.partner.id);
  forgetProgramConfiguration(ds);
  const now = new Date();
  const recorded = await inTransaction(ds, (m) =>
    recordEvent(m, p.ledger, {
      member: { externalId: 'paid-by-the-shop' },
      partnerId: shop.partner.id,
      type: 'purchase',
      amountCents: 1_000,
      occurredAt: now,
      receivedAt: now,
    }),
  );
  await countChallengeProgress(ds, p.ledger, recorded.event.id);
  expect(await p.available(recorded.memberAccountId)).toBe(100);
  expect(await p.available(shop.wallet.id)).toBe(10_000 - 100);
  expect(await p.posted(marketing.id)).toBe(marketingBefore);
  expect((await checkLedger(ds.manager)).violations).toEqual([]);
});

it("refuses a partner user's challenge that names a segment (segments are the program's), under the field", async () => {
  const ds = db.dataSource;
  const p = await createProgram(ds);
  const shop = await p.partner();
  const segment = await ds.manager.save(
    ds.manager.create(Segment, { name: 'Big spenders', conditions: { balanceMin: 1_000 }, createdBy: 'operator' }),
  );
  const refused = await inTransaction(ds, (m) =>
    saveChallenge(m, p.ledger, { ...form, segmentId: segment.id }, { kind: 'partner', partnerId: shop.partner.id }),
  ).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(ChallengeRefusedError);
  expect((refused as ChallengeRefusedError).problems).toEqual({ segmentId: expect.stringContaining("segments are the program's") });
  // The operator may aim the program's challenge at it.
  const program = await inTransaction(ds, (m) => saveChallenge(m, p.ledger, { ...form, segmentId: segment.id }, { kind: 'operator' }));
  expect(program.segmentId).toBe(segment.id);
});
