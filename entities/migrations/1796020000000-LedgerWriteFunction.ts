import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ledger's write path as SQL functions, so that an earn or a burn costs one round trip
 * (loyalty/ledger/engine.ts plans; these apply). The version is in the names: a change is a new
 * function and a new migration, and the old function is dropped once nothing calls it.
 *
 * ledger_write_v1(plan) takes {source, key, hash, legs: [{id, debitAccountId, creditAccountId, amount, kind,
 * phase, ...}]} (see ledgerWrite in loyalty/ledger/engine.ts) and returns {"result": "ok", "replayed", "transfers"} or a refusal
 * ({"result": "insufficient_funds" | "idempotency_conflict" | "account_not_found" | "mixed_units"
 * | "lots_short", ...}). Every refusal is decided before the first write, so a refusal writes
 * nothing even inside a caller's transaction. A broken promise of the ledger itself (lots that
 * disagree with a balance) raises SQLSTATE LF001 and rolls the statement back.
 */
const transferColumns = `id, seq, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind,
  phase, "pendingTransferId", "reversesTransferId", "idempotencySource", "idempotencyKey", leg, "requestHash",
  "heldUntil", "references", explanation, "createdAt"`;

const replay = `
CREATE FUNCTION ledger_replay_v1(source text, key text, hash text) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT CASE
           WHEN count(*) = 0 THEN NULL
           WHEN (array_agg(t."requestHash" ORDER BY t.leg))[1] <> $3 THEN jsonb_build_object('result', 'idempotency_conflict')
           ELSE jsonb_build_object('result', 'ok', 'replayed', true, 'transfers', jsonb_agg(to_jsonb(t) ORDER BY t.leg))
         END
    FROM (SELECT ${transferColumns} FROM ledger_transfer WHERE "idempotencySource" = $1 AND "idempotencyKey" = $2) t
$fn$`;

/**
 * Takes points from a member's lots, earliest expiry first (never-expiring lots last), the
 * preferred lots before all others, or only the lots named. With credit_member, the points keep
 * their funder and expiry in new lots of that member (points moving between members).
 */
const consumeLots = `
CREATE FUNCTION ledger_consume_lots_v1(member uuid, transfer uuid, amount bigint, preferred uuid[], only_lots uuid[], credit_member uuid)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  lot record;
  left_to_take bigint := amount;
  take bigint;
BEGIN
  FOR lot IN
    SELECT id, remaining, "fundingPartnerId", "expiresAt" FROM (
      SELECT id, remaining, "fundingPartnerId", "expiresAt",
             SUM(remaining) OVER (ORDER BY (id = ANY(preferred)) DESC, "expiresAt" ASC NULLS LAST, "createdAt", id) AS running
        FROM point_lot WHERE "memberAccountId" = member AND remaining > 0 AND (only_lots IS NULL OR id = ANY(only_lots))
    ) ordered WHERE running - remaining < amount
    ORDER BY running
  LOOP
    EXIT WHEN left_to_take = 0;
    take := least(left_to_take, lot.remaining);
    UPDATE point_lot SET remaining = remaining - take WHERE id = lot.id;
    INSERT INTO lot_consumption ("lotId", "transferId", points) VALUES (lot.id, transfer, take);
    IF credit_member IS NOT NULL THEN
      INSERT INTO point_lot ("memberAccountId", "creditTransferId", "fundingPartnerId", points, remaining, "expiresAt")
      VALUES (credit_member, transfer, lot."fundingPartnerId", take, take, lot."expiresAt");
    END IF;
    left_to_take := left_to_take - take;
  END LOOP;
  IF left_to_take > 0 THEN
    RAISE EXCEPTION 'Lots of account % miss % points', member, left_to_take USING ERRCODE = 'LF001';
  END IF;
END
$fn$`;

/** Gives back points to the lots that the given transfers still hold, most recently consumed first. */
const restoreLots = `
CREATE FUNCTION ledger_restore_lots_v1(member uuid, transfer uuid, consumed_by uuid[], amount bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  lot record;
  left_to_give bigint := amount;
  give bigint;
BEGIN
  FOR lot IN
    SELECT l.id, SUM(c.points) AS held, MAX(c.id) AS last
      FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId"
     WHERE c."transferId" = ANY(consumed_by) AND l."memberAccountId" = member
     GROUP BY l.id HAVING SUM(c.points) > 0
     ORDER BY last DESC
  LOOP
    EXIT WHEN left_to_give = 0;
    give := least(left_to_give, lot.held);
    UPDATE point_lot SET remaining = remaining + give WHERE id = lot.id;
    INSERT INTO lot_consumption ("lotId", "transferId", points) VALUES (lot.id, transfer, -give);
    left_to_give := left_to_give - give;
  END LOOP;
  IF left_to_give > 0 THEN
    RAISE EXCEPTION 'Transfers % hold % points, % to restore', array_to_string(consumed_by, ', '), amount - left_to_give, amount
      USING ERRCODE = 'LF001';
  END IF;
END
$fn$`;

/**
 * Writes a planned set of transfers atomically. Lock order is fixed: single-shard accounts
 * (members) in id order, then sharded (hot) accounts in id order. A hot account pays from any
 * shard nobody holds that can pay (SKIP LOCKED), else waits for one, else gathers points from
 * all its shards into one (rebalance). Refusals are all found before the first write.
 */
const write = `
CREATE FUNCTION ledger_write_v1(plan jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  legs jsonb := plan->'legs';
  earlier jsonb;
  entry record;
  ids uuid[] := '{}'; codes text[] := '{}'; kinds text[] := '{}'; partners uuid[] := '{}'; sharded boolean[] := '{}';
  units text[] := '{}'; shard_counts int[] := '{}';
  absent uuid;
  absent_at bigint;
  d_dp bigint[] := '{}'; d_cp bigint[] := '{}'; d_dpend bigint[] := '{}'; d_cpend bigint[] := '{}'; d_req bigint[] := '{}';
  fixed_shards int[] := '{}'; spreads boolean[] := '{}';
  chosen int[];
  picked int;
  start_shard int;
  k int;
  i int;
  j int;
  available bigint;
  may_go_negative boolean;
  total bigint;
  missing bigint;
  move bigint;
  share bigint;
  shards int[];
  amounts bigint[];
  excess bigint[];
  mv_account uuid[] := '{}';
  mv_from int[] := '{}';
  mv_to int[] := '{}';
  mv_amount bigint[] := '{}';
  leg_plan jsonb;
  transfer_ids uuid[];
  debit_at int;
  credit_at int;
  leg_phase text;
  unposted bigint;
  restorer uuid;
  written jsonb;
BEGIN
  earlier := ledger_replay_v1(plan->>'source', plan->>'key', plan->>'hash');
  IF earlier IS NOT NULL THEN RETURN earlier; END IF;

  -- What the plan changes on each account, in lock order, and accounts that do not exist.
  FOR entry IN
    SELECT s.*, a.id AS found, a.code, a.kind, a."partnerId" AS partner, a."shardCount" AS shard_count, a.unit
    FROM (SELECT acc, min(at) AS first_at, sum(dp) AS dp, sum(cp) AS cp, sum(dpend) AS dpend, sum(cpend) AS cpend,
                 sum(req) AS req, max(fixed) AS fixed, bool_or(spread) AS spread
            FROM (SELECT (e->>'debitAccountId')::uuid AS acc, o * 2 AS at,
                         CASE WHEN p IN ('single', 'post') THEN amt ELSE 0 END AS dp, 0::bigint AS cp,
                         CASE p WHEN 'pending' THEN amt WHEN 'post' THEN -rel WHEN 'void' THEN -amt ELSE 0 END AS dpend,
                         0::bigint AS cpend,
                         CASE WHEN p IN ('single', 'pending') THEN amt ELSE 0 END AS req,
                         (e->>'debitShard')::int AS fixed, false AS spread
                    FROM (SELECT e, o, e->>'phase' AS p, (e->>'amount')::bigint AS amt,
                                 COALESCE((e->>'releases')::bigint, (e->>'amount')::bigint) AS rel
                            FROM jsonb_array_elements(legs) WITH ORDINALITY x(e, o)) l
                  UNION ALL
                  SELECT (e->>'creditAccountId')::uuid, o * 2 + 1, 0, CASE WHEN p IN ('single', 'post') THEN amt ELSE 0 END, 0,
                         CASE p WHEN 'pending' THEN amt WHEN 'post' THEN -rel WHEN 'void' THEN -amt ELSE 0 END, 0,
                         (e->>'creditShard')::int, COALESCE((e->>'spreadCredit')::boolean, false)
                    FROM (SELECT e, o, e->>'phase' AS p, (e->>'amount')::bigint AS amt,
                                 COALESCE((e->>'releases')::bigint, (e->>'amount')::bigint) AS rel
                            FROM jsonb_array_elements(legs) WITH ORDINALITY x(e, o)) l) sides
           GROUP BY acc) s
    LEFT JOIN ledger_account a ON a.id = s.acc
    ORDER BY a."shardCount" > 1, s.acc
  LOOP
    IF entry.found IS NULL THEN
      IF absent IS NULL OR entry.first_at < absent_at THEN
        absent := entry.acc;
        absent_at := entry.first_at;
      END IF;
      CONTINUE;
    END IF;
    ids := ids || entry.acc; codes := codes || entry.code; kinds := kinds || entry.kind; partners := partners || entry.partner;
    sharded := sharded || (entry.shard_count > 1); units := units || entry.unit; shard_counts := shard_counts || entry.shard_count;
    d_dp := d_dp || entry.dp; d_cp := d_cp || entry.cp; d_dpend := d_dpend || entry.dpend; d_cpend := d_cpend || entry.cpend;
    d_req := d_req || entry.req; fixed_shards := fixed_shards || entry.fixed; spreads := spreads || entry.spread;
  END LOOP;
  -- Refused before any lock: an account that does not exist, then a leg that mixes units.
  IF absent IS NOT NULL THEN RETURN jsonb_build_object('result', 'account_not_found', 'account', absent); END IF;
  FOR i IN 1 .. jsonb_array_length(legs) LOOP
    debit_at := array_position(ids, (legs->(i - 1)->>'debitAccountId')::uuid);
    credit_at := array_position(ids, (legs->(i - 1)->>'creditAccountId')::uuid);
    IF units[debit_at] <> units[credit_at] THEN
      RETURN jsonb_build_object('result', 'mixed_units', 'leg', i - 1, 'debitUnit', units[debit_at], 'creditUnit', units[credit_at]);
    END IF;
  END LOOP;
  chosen := array_fill(NULL::int, ARRAY[array_length(ids, 1)]);

  -- Members (single shard) first: lock and check that each can pay.
  FOR k IN 1 .. array_length(ids, 1) LOOP
    CONTINUE WHEN sharded[k];
    SELECT "creditsPosted" - "debitsPosted" - "debitsPending", "mayGoNegative" INTO available, may_go_negative
      FROM ledger_balance WHERE "accountId" = ids[k] AND shard = 0 FOR UPDATE;
    IF NOT FOUND THEN RAISE EXCEPTION 'Account % has no balance', codes[k] USING ERRCODE = 'LF001'; END IF;
    IF NOT may_go_negative AND available < d_req[k] THEN
      RETURN jsonb_build_object('result', 'insufficient_funds', 'account', ids[k], 'code', codes[k],
                                'available', available, 'requested', d_req[k]);
    END IF;
    chosen[k] := 0;
  END LOOP;

  -- Debits limited to named lots: the lots must hold the points (the member's lock guards them).
  FOR leg_plan IN SELECT e FROM jsonb_array_elements(legs) e LOOP
    CONTINUE WHEN leg_plan->'onlyLots' IS NULL OR jsonb_typeof(leg_plan->'onlyLots') <> 'array' OR leg_plan->>'phase' NOT IN ('single', 'pending')
      OR kinds[array_position(ids, (leg_plan->>'debitAccountId')::uuid)] <> 'member';
    SELECT COALESCE(SUM(remaining), 0) INTO available FROM point_lot
     WHERE "memberAccountId" = (leg_plan->>'debitAccountId')::uuid AND remaining > 0
       AND id = ANY(ARRAY(SELECT jsonb_array_elements_text(leg_plan->'onlyLots'))::uuid[]);
    IF available < (leg_plan->>'amount')::bigint THEN
      RETURN jsonb_build_object('result', 'lots_short', 'available', available, 'requested', (leg_plan->>'amount')::bigint);
    END IF;
  END LOOP;

  -- Sharded (hot) accounts: pick, lock and check a shard of each; decide rebalances, write nothing yet.
  FOR k IN 1 .. array_length(ids, 1) LOOP
    CONTINUE WHEN NOT sharded[k];
    IF spreads[k] THEN
      -- Spreading locks every shard anyway: take them all up front, in shard order, before picking one.
      PERFORM 1 FROM ledger_balance WHERE "accountId" = ids[k] ORDER BY shard FOR UPDATE;
    END IF;
    IF fixed_shards[k] IS NOT NULL THEN
      PERFORM 1 FROM ledger_balance WHERE "accountId" = ids[k] AND shard = fixed_shards[k] FOR UPDATE;
      IF NOT FOUND THEN RAISE EXCEPTION 'Account % has no shard %', codes[k], fixed_shards[k] USING ERRCODE = 'LF001'; END IF;
      chosen[k] := fixed_shards[k];
      CONTINUE;
    END IF;
    -- The first free shard that can pay from a random one on: one or two index entries read, not all shards.
    start_shard := floor(random() * shard_counts[k])::int;
    SELECT shard INTO picked FROM ledger_balance
     WHERE "accountId" = ids[k] AND shard >= start_shard
       AND ("mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= d_req[k])
     ORDER BY shard LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF picked IS NULL THEN
      SELECT shard INTO picked FROM ledger_balance
       WHERE "accountId" = ids[k] AND shard < start_shard
         AND ("mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= d_req[k])
       ORDER BY shard LIMIT 1 FOR UPDATE SKIP LOCKED;
    END IF;
    IF picked IS NULL THEN
      SELECT shard INTO picked FROM ledger_balance
       WHERE "accountId" = ids[k] AND ("mayGoNegative" OR "creditsPosted" - "debitsPosted" - "debitsPending" >= d_req[k])
       ORDER BY random() LIMIT 1 FOR UPDATE;
    END IF;
    chosen[k] := picked;
    CONTINUE WHEN picked IS NOT NULL;
    -- No single shard can pay: gather points into the richest one from the others.
    SELECT array_agg(shard ORDER BY avail DESC, shard), array_agg(avail ORDER BY avail DESC, shard) INTO shards, amounts
      FROM (SELECT shard, "creditsPosted" - "debitsPosted" - "debitsPending" AS avail
              FROM ledger_balance WHERE "accountId" = ids[k] ORDER BY shard FOR UPDATE) locked;
    total := (SELECT COALESCE(sum(x), 0) FROM unnest(amounts) x);
    IF total < d_req[k] THEN
      RETURN jsonb_build_object('result', 'insufficient_funds', 'account', ids[k], 'code', codes[k],
                                'available', total, 'requested', d_req[k]);
    END IF;
    chosen[k] := shards[1];
    missing := d_req[k] - amounts[1];
    FOR i IN 2 .. array_length(shards, 1) LOOP
      EXIT WHEN missing <= 0;
      move := least(missing, amounts[i]);
      CONTINUE WHEN move <= 0;
      missing := missing - move;
      mv_account := mv_account || ids[k]; mv_from := mv_from || shards[i]; mv_to := mv_to || shards[1]; mv_amount := mv_amount || move;
    END LOOP;
  END LOOP;

  -- Nothing is refused from here on: write.
  FOR i IN 1 .. coalesce(array_length(mv_account, 1), 0) LOOP
    UPDATE ledger_balance SET "debitsPosted" = "debitsPosted" + mv_amount[i] WHERE "accountId" = mv_account[i] AND shard = mv_from[i];
    UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + mv_amount[i] WHERE "accountId" = mv_account[i] AND shard = mv_to[i];
  END LOOP;
  FOR k IN 1 .. array_length(ids, 1) LOOP
    UPDATE ledger_balance SET "debitsPosted" = "debitsPosted" + d_dp[k], "creditsPosted" = "creditsPosted" + d_cp[k],
                              "debitsPending" = "debitsPending" + d_dpend[k], "creditsPending" = "creditsPending" + d_cpend[k]
     WHERE "accountId" = ids[k] AND shard = chosen[k];
  END LOOP;

  -- A partner's purchase is spread evenly over its wallet's shards, so that every shard can pay earns.
  FOR k IN 1 .. array_length(ids, 1) LOOP
    CONTINUE WHEN NOT spreads[k];
    SELECT array_agg(shard ORDER BY shard), array_agg(avail ORDER BY shard) INTO shards, amounts
      FROM (SELECT shard, "creditsPosted" - "debitsPosted" - "debitsPending" AS avail FROM ledger_balance WHERE "accountId" = ids[k]) b;
    total := (SELECT COALESCE(sum(x), 0) FROM unnest(amounts) x);
    share := floor(total::numeric / array_length(shards, 1));
    excess := ARRAY(SELECT amounts[o] - share - CASE WHEN o - 1 < total - share * array_length(shards, 1) THEN 1 ELSE 0 END
                      FROM generate_subscripts(amounts, 1) o ORDER BY o);
    FOR i IN 1 .. array_length(shards, 1) LOOP  -- takers
      CONTINUE WHEN excess[i] >= 0;
      FOR j IN 1 .. array_length(shards, 1) LOOP  -- givers
        EXIT WHEN excess[i] = 0;
        CONTINUE WHEN excess[j] <= 0;
        move := least(excess[j], -excess[i]);
        excess[j] := excess[j] - move;
        excess[i] := excess[i] + move;
        UPDATE ledger_balance SET "debitsPosted" = "debitsPosted" + move WHERE "accountId" = ids[k] AND shard = shards[j];
        UPDATE ledger_balance SET "creditsPosted" = "creditsPosted" + move WHERE "accountId" = ids[k] AND shard = shards[i];
        mv_account := mv_account || ids[k]; mv_from := mv_from || shards[j]; mv_to := mv_to || shards[i]; mv_amount := mv_amount || move;
      END LOOP;
    END LOOP;
  END LOOP;

  transfer_ids := ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(legs) WITH ORDINALITY x(e, o) ORDER BY o);
  WITH inserted AS (
    INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                                 "pendingTransferId", "reversesTransferId", "idempotencySource", "idempotencyKey", leg,
                                 "requestHash", "heldUntil", "references", explanation)
    SELECT transfer_ids[o], (e->>'debitAccountId')::uuid, chosen[array_position(ids, (e->>'debitAccountId')::uuid)],
           (e->>'creditAccountId')::uuid, chosen[array_position(ids, (e->>'creditAccountId')::uuid)],
           (e->>'amount')::bigint, e->>'kind', e->>'phase', (e->>'pendingTransferId')::uuid, (e->>'reversesTransferId')::uuid,
           plan->>'source', plan->>'key', o - 1, plan->>'hash', (e->>'heldUntil')::timestamptz,
           COALESCE(e->'references', '{}'), COALESCE(e->'explanation', '[]')
      FROM jsonb_array_elements(legs) WITH ORDINALITY x(e, o) ORDER BY o
    RETURNING ${transferColumns}
  )
  SELECT jsonb_agg(to_jsonb(inserted) ORDER BY seq) INTO written FROM inserted;
  INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                               "idempotencySource", "idempotencyKey", leg, "requestHash")
  SELECT id, a, f, a, t, m, 'rebalance', 'single', 'ledger:rebalance', id::text, 0, ''
    FROM (SELECT gen_random_uuid() AS id, a, f, t, m, o
            FROM unnest(mv_account, mv_from, mv_to, mv_amount) WITH ORDINALITY AS mv(a, f, t, m, o)) r
   ORDER BY o;

  -- Lots: a debit from a member takes from its lots; a credit to a member makes one (or gives points back).
  FOR i IN 1 .. jsonb_array_length(legs) LOOP
    leg_plan := legs->(i - 1);
    debit_at := array_position(ids, (leg_plan->>'debitAccountId')::uuid);
    credit_at := array_position(ids, (leg_plan->>'creditAccountId')::uuid);
    leg_phase := leg_plan->>'phase';
    unposted := CASE WHEN leg_phase = 'post' THEN COALESCE((leg_plan->>'releases')::bigint, (leg_plan->>'amount')::bigint) - (leg_plan->>'amount')::bigint ELSE 0 END;
    restorer := CASE
      WHEN unposted > 0 AND kinds[debit_at] = 'member' THEN NULL
      WHEN COALESCE(jsonb_typeof(leg_plan->'restoresConsumptionOf'), 'null') <> 'array' THEN NULL
      WHEN leg_phase = 'void' AND kinds[debit_at] = 'member' THEN ids[debit_at]
      WHEN leg_phase <> 'void' AND kinds[credit_at] = 'member' THEN ids[credit_at]
    END;
    IF kinds[debit_at] = 'member' AND leg_phase IN ('single', 'pending') THEN
      PERFORM ledger_consume_lots_v1(ids[debit_at], transfer_ids[i], (leg_plan->>'amount')::bigint,
        ARRAY(SELECT jsonb_array_elements_text(COALESCE(leg_plan->'preferredLots', '[]')))::uuid[],
        CASE WHEN jsonb_typeof(leg_plan->'onlyLots') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(leg_plan->'onlyLots'))::uuid[] END,
        -- Member to member: the points keep their funder and expiry, so attribution stays exact.
        CASE WHEN restorer IS NULL AND kinds[credit_at] = 'member' AND leg_phase = 'single' THEN ids[credit_at] END);
    END IF;
    IF unposted > 0 AND kinds[debit_at] = 'member' THEN
      PERFORM ledger_restore_lots_v1(ids[debit_at], transfer_ids[i], ARRAY[(leg_plan->>'pendingTransferId')::uuid], unposted);
    ELSIF restorer IS NOT NULL THEN
      PERFORM ledger_restore_lots_v1(restorer, transfer_ids[i],
        ARRAY(SELECT jsonb_array_elements_text(leg_plan->'restoresConsumptionOf'))::uuid[], (leg_plan->>'amount')::bigint);
    END IF;
    -- A pending credit to a member (pending points) makes its lot when it is posted, not before.
    CONTINUE WHEN restorer IS NOT NULL OR kinds[credit_at] <> 'member' OR kinds[debit_at] = 'member' OR leg_phase NOT IN ('single', 'post');
    INSERT INTO point_lot ("memberAccountId", "creditTransferId", "fundingPartnerId", points, remaining, "expiresAt")
    VALUES (ids[credit_at], transfer_ids[i],
            CASE WHEN kinds[debit_at] = 'partner_wallet' THEN partners[debit_at] ELSE (leg_plan->>'fundingPartnerId')::uuid END,
            (leg_plan->>'amount')::bigint, (leg_plan->>'amount')::bigint, (leg_plan->>'expiresAt')::timestamptz);
  END LOOP;

  RETURN jsonb_build_object('result', 'ok', 'replayed', false, 'transfers', written);
END
$fn$`;

export class LedgerWriteFunction1796020000000 implements MigrationInterface {
  name = 'LedgerWriteFunction1796020000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const definition of [replay, consumeLots, restoreLots, write]) await queryRunner.query(definition);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION ledger_write_v1(jsonb)`);
    await queryRunner.query(`DROP FUNCTION ledger_restore_lots_v1(uuid, uuid, uuid[], bigint)`);
    await queryRunner.query(`DROP FUNCTION ledger_consume_lots_v1(uuid, uuid, bigint, uuid[], uuid[], uuid)`);
    await queryRunner.query(`DROP FUNCTION ledger_replay_v1(text, text, text)`);
  }
}
