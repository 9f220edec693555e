import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * ledger_write_v3 and tessera_record_event_v4: v2 and v3 (1796034000000, 1796034100000) for the
 * ledger_transfer partitioned by month (1796040000000-PartitionedLedgerTransfers), whose indexes
 * cannot be unique without "createdAt":
 * - the legs claim their idempotency key in ledger_idempotency with INSERT … ON CONFLICT, as v2
 *   claimed it in ledger_transfer: a twin answers the first result, a key reused with more legs
 *   writes none;
 * - a post or void records itself in ledger_hold_resolution, whose primary key lets a hold be
 *   resolved once, even under concurrency;
 * - ledger_replay_v2 finds a request's transfers through ledger_idempotency, in their partition.
 * Every refusal is still decided before the first write; the answers are v2's. v2 and v3 stay as
 * the history of the write path.
 */
const transferColumns = `id, seq, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind,
  phase, "pendingTransferId", "reversesTransferId", "idempotencySource", "idempotencyKey", leg, "requestHash",
  "heldUntil", "references", explanation, "createdAt"`;

const replay = `
CREATE FUNCTION ledger_replay_v2(source text, key text, hash text) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT CASE
           WHEN count(*) = 0 THEN NULL
           WHEN (array_agg(i."requestHash" ORDER BY i.leg))[1] <> $3 THEN jsonb_build_object('result', 'idempotency_conflict')
           ELSE jsonb_build_object('result', 'ok', 'replayed', true, 'transfers', jsonb_agg(to_jsonb(t) ORDER BY i.leg))
         END
    FROM ledger_idempotency i
    JOIN LATERAL (SELECT ${transferColumns} FROM ledger_transfer
                   WHERE id = i."transferId" AND "createdAt" = i."createdAt") t ON true
   WHERE i.source = $1 AND i.key = $2
$fn$`;

/**
 * ledger_consume_lots_v1 and ledger_restore_lots_v1 (1796020000000) for point_lot partitioned by
 * month of "createdAt" (1796041000000): a lot is updated by its id and "createdAt", which name one
 * month's key index, where its id alone is looked for in every month's.
 */
const consumeLots = `
CREATE FUNCTION ledger_consume_lots_v2(member uuid, transfer uuid, amount bigint, preferred uuid[], only_lots uuid[], credit_member uuid)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  lot record;
  left_to_take bigint := amount;
  take bigint;
BEGIN
  FOR lot IN
    SELECT id, "createdAt", remaining, "fundingPartnerId", "expiresAt" FROM (
      SELECT id, "createdAt", remaining, "fundingPartnerId", "expiresAt",
             SUM(remaining) OVER (ORDER BY (id = ANY(preferred)) DESC, "expiresAt" ASC NULLS LAST, "createdAt", id) AS running
        FROM point_lot WHERE "memberAccountId" = member AND remaining > 0 AND (only_lots IS NULL OR id = ANY(only_lots))
    ) ordered WHERE running - remaining < amount
    ORDER BY running
  LOOP
    EXIT WHEN left_to_take = 0;
    take := least(left_to_take, lot.remaining);
    UPDATE point_lot SET remaining = remaining - take WHERE id = lot.id AND "createdAt" = lot."createdAt";
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

const restoreLots = `
CREATE FUNCTION ledger_restore_lots_v2(member uuid, transfer uuid, consumed_by uuid[], amount bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  lot record;
  left_to_give bigint := amount;
  give bigint;
BEGIN
  FOR lot IN
    SELECT l.id, l."createdAt", SUM(c.points) AS held, MAX(c.id) AS last
      FROM lot_consumption c JOIN point_lot l ON l.id = c."lotId"
     WHERE c."transferId" = ANY(consumed_by) AND l."memberAccountId" = member
     GROUP BY l.id, l."createdAt" HAVING SUM(c.points) > 0
     ORDER BY last DESC
  LOOP
    EXIT WHEN left_to_give = 0;
    give := least(left_to_give, lot.held);
    UPDATE point_lot SET remaining = remaining + give WHERE id = lot.id AND "createdAt" = lot."createdAt";
    INSERT INTO lot_consumption ("lotId", "transferId", points) VALUES (lot.id, transfer, -give);
    left_to_give := left_to_give - give;
  END LOOP;
  IF left_to_give > 0 THEN
    RAISE EXCEPTION 'Transfers % hold % points, % to restore', array_to_string(consumed_by, ', '), amount - left_to_give, amount
      USING ERRCODE = 'LF001';
  END IF;
END
$fn$`;

const write = `
CREATE FUNCTION ledger_write_v3(plan jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  legs jsonb := plan->'legs';
  leg_count int := jsonb_array_length(plan->'legs');
  ids uuid[]; codes text[]; kinds text[]; partners uuid[]; sharded boolean[]; units text[]; shard_counts int[];
  absent uuid;
  d_dp bigint[]; d_cp bigint[]; d_dpend bigint[]; d_cpend bigint[]; d_req bigint[]; fixed_shards int[]; spreads boolean[];
  claimed int;
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
  resolves boolean := false;
  written jsonb;
BEGIN
  -- What the plan changes on each account (summed by the planner), in lock order: members, then sharded accounts.
  -- Aggregated from an ordered subquery, so the arrays keep its order (one statement, no append per account).
  SELECT array_agg(id), array_agg(code), array_agg(kind), array_agg("partnerId"), array_agg("shardCount" > 1), array_agg(unit),
         array_agg("shardCount"), array_agg(dp), array_agg(cp), array_agg(dpend), array_agg(cpend), array_agg(req),
         array_agg(fixed), array_agg(spread)
    INTO ids, codes, kinds, partners, sharded, units, shard_counts, d_dp, d_cp, d_dpend, d_cpend, d_req, fixed_shards, spreads
    FROM (SELECT s.*, a.code, a.kind, a."partnerId", a."shardCount", a.unit
            FROM jsonb_to_recordset(plan->'accounts')
                 AS s(id uuid, dp bigint, cp bigint, dpend bigint, cpend bigint, req bigint, fixed int, spread boolean)
            JOIN ledger_account a ON a.id = s.id
           ORDER BY a."shardCount" > 1, s.id) ordered;
  -- Refused before any lock: an account that does not exist (the first the legs name), then a leg that mixes units.
  -- A refusal answers a request's first result if it had one: replays are found by the claim below, reached only when nothing is refused.
  IF coalesce(array_length(ids, 1), 0) < jsonb_array_length(plan->'accounts') THEN
    SELECT (e->>'id')::uuid INTO absent FROM jsonb_array_elements(plan->'accounts') WITH ORDINALITY x(e, o)
     WHERE NOT ((e->>'id')::uuid = ANY(coalesce(ids, '{}'))) ORDER BY o LIMIT 1;
    RETURN COALESCE(ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash'),
                    jsonb_build_object('result', 'account_not_found', 'account', absent));
  END IF;
  FOR i IN 1 .. leg_count LOOP
    debit_at := array_position(ids, (legs->(i - 1)->>'debitAccountId')::uuid);
    credit_at := array_position(ids, (legs->(i - 1)->>'creditAccountId')::uuid);
    IF debit_at IS NULL OR credit_at IS NULL THEN
      RAISE EXCEPTION 'Leg % names an account missing from the plan''s accounts', i - 1 USING ERRCODE = 'LF001';
    END IF;
    resolves := resolves OR legs->(i - 1)->>'pendingTransferId' IS NOT NULL;
    IF units[debit_at] <> units[credit_at] THEN
      RETURN COALESCE(ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash'),
                      jsonb_build_object('result', 'mixed_units', 'leg', i - 1, 'debitUnit', units[debit_at], 'creditUnit', units[credit_at]));
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
      RETURN COALESCE(ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash'),
                      jsonb_build_object('result', 'insufficient_funds', 'account', ids[k], 'code', codes[k],
                                         'available', available, 'requested', d_req[k]));
    END IF;
    chosen[k] := 0;
  END LOOP;

  -- Debits limited to named lots: the lots must hold the points (the member's lock guards them).
  FOR i IN 0 .. leg_count - 1 LOOP
    leg_plan := legs->i;
    CONTINUE WHEN leg_plan->'onlyLots' IS NULL OR jsonb_typeof(leg_plan->'onlyLots') <> 'array' OR leg_plan->>'phase' NOT IN ('single', 'pending')
      OR kinds[array_position(ids, (leg_plan->>'debitAccountId')::uuid)] <> 'member';
    SELECT COALESCE(SUM(remaining), 0) INTO available FROM point_lot
     WHERE "memberAccountId" = (leg_plan->>'debitAccountId')::uuid AND remaining > 0
       AND id = ANY(ARRAY(SELECT jsonb_array_elements_text(leg_plan->'onlyLots'))::uuid[]);
    IF available < (leg_plan->>'amount')::bigint THEN
      RETURN COALESCE(ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash'),
                      jsonb_build_object('result', 'lots_short', 'available', available, 'requested', (leg_plan->>'amount')::bigint));
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
      RETURN COALESCE(ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash'),
                      jsonb_build_object('result', 'insufficient_funds', 'account', ids[k], 'code', codes[k],
                                         'available', total, 'requested', d_req[k]));
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

  -- Nothing is refused from here on. The legs claim the idempotency key: a twin of this request that
  -- committed first makes them conflict (ON CONFLICT waits for it), and this call answers the twin's result.
  WITH claimed AS (
    INSERT INTO ledger_idempotency (source, key, leg, "transferId", "requestHash", "createdAt")
    SELECT plan->>'source', plan->>'key', o - 1, (e->>'id')::uuid, plan->>'hash', now()
      FROM jsonb_array_elements(legs) WITH ORDINALITY x(e, o)
     ORDER BY o
    ON CONFLICT DO NOTHING
    RETURNING "transferId"
  )
  SELECT count(*), array_agg("transferId") INTO claimed, transfer_ids FROM claimed;
  IF claimed < leg_count THEN
    -- Legs the twin did not have (a different request under the same key) are taken back: nothing else is written yet.
    IF claimed > 0 THEN
      DELETE FROM ledger_idempotency WHERE source = plan->>'source' AND key = plan->>'key' AND "transferId" = ANY(transfer_ids);
    END IF;
    written := ledger_replay_v2(plan->>'source', plan->>'key', plan->>'hash');
    IF written IS NULL THEN
      RAISE EXCEPTION 'Idempotency key % of % was claimed and then vanished', plan->>'key', plan->>'source' USING ERRCODE = '40001';
    END IF;
    RETURN written;
  END IF;
  -- One resolution per hold: a second one, even concurrent, fails on the primary key as it did on v2's unique index.
  IF resolves THEN
    INSERT INTO ledger_hold_resolution ("pendingTransferId", "transferId", "createdAt")
    SELECT (e->>'pendingTransferId')::uuid, (e->>'id')::uuid, now()
      FROM jsonb_array_elements(legs) e WHERE e->>'pendingTransferId' IS NOT NULL;
  END IF;
  WITH inserted AS (
    INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                                 "pendingTransferId", "reversesTransferId", "idempotencySource", "idempotencyKey", leg,
                                 "requestHash", "heldUntil", "references", explanation, "createdAt")
    SELECT t.id, t."debitAccountId", chosen[array_position(ids, t."debitAccountId")],
           t."creditAccountId", chosen[array_position(ids, t."creditAccountId")],
           t.amount, t.kind, t.phase, t."pendingTransferId", t."reversesTransferId",
           plan->>'source', plan->>'key', t.ordinality - 1, plan->>'hash', t."heldUntil",
           COALESCE(t."references", '{}'), COALESCE(t.explanation, '[]'), now()
      FROM jsonb_populate_recordset(NULL::ledger_transfer, legs) WITH ORDINALITY t
     ORDER BY t.ordinality
    RETURNING ${transferColumns}
  )
  SELECT jsonb_agg(to_jsonb(inserted) ORDER BY seq), array_agg(id ORDER BY leg) INTO written, transfer_ids FROM inserted;

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

  IF array_length(mv_account, 1) > 0 THEN
    WITH moved AS (
      INSERT INTO ledger_transfer (id, "debitAccountId", "debitShard", "creditAccountId", "creditShard", amount, kind, phase,
                                   "idempotencySource", "idempotencyKey", leg, "requestHash", "createdAt")
      SELECT id, a, f, a, t, m, 'rebalance', 'single', 'ledger:rebalance', id::text, 0, '', now()
        FROM (SELECT gen_random_uuid() AS id, a, f, t, m, o
                FROM unnest(mv_account, mv_from, mv_to, mv_amount) WITH ORDINALITY AS mv(a, f, t, m, o)) r
       ORDER BY o
      RETURNING id, "idempotencySource", "idempotencyKey", leg, "requestHash", "createdAt"
    )
    INSERT INTO ledger_idempotency (source, key, leg, "transferId", "requestHash", "createdAt")
    SELECT "idempotencySource", "idempotencyKey", leg, id, "requestHash", "createdAt" FROM moved;
  END IF;

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
      PERFORM ledger_consume_lots_v2(ids[debit_at], transfer_ids[i], (leg_plan->>'amount')::bigint,
        ARRAY(SELECT jsonb_array_elements_text(COALESCE(leg_plan->'preferredLots', '[]')))::uuid[],
        CASE WHEN jsonb_typeof(leg_plan->'onlyLots') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(leg_plan->'onlyLots'))::uuid[] END,
        -- Member to member: the points keep their funder and expiry, so attribution stays exact.
        CASE WHEN restorer IS NULL AND kinds[credit_at] = 'member' AND leg_phase = 'single' THEN ids[credit_at] END);
    END IF;
    IF unposted > 0 AND kinds[debit_at] = 'member' THEN
      PERFORM ledger_restore_lots_v2(ids[debit_at], transfer_ids[i], ARRAY[(leg_plan->>'pendingTransferId')::uuid], unposted);
    ELSIF restorer IS NOT NULL THEN
      PERFORM ledger_restore_lots_v2(restorer, transfer_ids[i],
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

const recordEvent = `
      CREATE FUNCTION tessera_record_event_v4(request jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
      DECLARE
        member_id uuid := (request->>'memberId')::uuid;
        account_id uuid := (request->>'memberAccountId')::uuid;
        claimed uuid;
        answer jsonb;
        earn_transfer uuid;
        hook jsonb;
        delivery uuid;
        entry uuid;
        outbox uuid[] := '{}';
      BEGIN
        INSERT INTO api_request ("partnerId", "idempotencyKey", "requestHash", status, response)
        VALUES ((request->>'partnerId')::uuid, request->>'idempotencyKey', request->>'requestHash',
                (request->>'status')::int, request->'response')
        ON CONFLICT DO NOTHING RETURNING id INTO claimed;
        IF claimed IS NULL THEN
          RETURN jsonb_build_object('result', 'taken');
        END IF;
        -- Members first, as every write locks them: concurrent events of one member decide in turn.
        PERFORM 1 FROM ledger_balance WHERE "accountId" = account_id ORDER BY shard FOR UPDATE;
        IF EXISTS (SELECT 1 FROM member WHERE id = member_id AND "mergedIntoId" IS NOT NULL)
           OR EXISTS (SELECT 1 FROM member_erasure WHERE "memberId" = member_id)
           OR EXISTS (SELECT 1 FROM points_debt WHERE "memberAccountId" = account_id AND points > 0) THEN
          RAISE EXCEPTION 'member % needs the full event path', member_id USING ERRCODE = 'TE001';
        END IF;
        -- Apart, and only with tiers: in one condition the tier sum made its generic plan look costly, so it was planned at every call.
        IF jsonb_typeof(request->'qualifying') = 'object' THEN
          IF (request->'qualifying'->>'points')::bigint <> (
               SELECT COALESCE(SUM(CASE WHEN t."creditAccountId" = account_id THEN t.amount ELSE -t.amount END), 0)
                 FROM ledger_transfer t LEFT JOIN ledger_transfer o ON o.id = t."reversesTransferId"
                WHERE t."createdAt" >= (request->'qualifying'->>'since')::timestamptz AND t.phase IN ('single', 'post')
                  AND ((t."creditAccountId" = account_id AND t.kind IN ('earn', 'bonus'))
                    OR (t."debitAccountId" = account_id AND t.kind = 'reversal' AND o.kind IN ('earn', 'bonus')))) THEN
            RAISE EXCEPTION 'member % needs the full event path', member_id USING ERRCODE = 'TE001';
          END IF;
        END IF;
        IF jsonb_typeof(request->'ledger') = 'object' THEN
          answer := ledger_write_v3(request->'ledger');
          IF answer->>'result' <> 'ok' THEN
            RAISE EXCEPTION 'ledger refused: %', answer->>'result' USING ERRCODE = 'TE001';
          END IF;
          SELECT (t->>'id')::uuid INTO earn_transfer
            FROM jsonb_array_elements(answer->'transfers') t WHERE t->>'kind' = 'earn' ORDER BY (t->>'leg')::int LIMIT 1;
        END IF;
        INSERT INTO member_event (id, "partnerId", "memberId", "customerId", type, "amountCents", currency, lines, channel,
                                  "pointOfSaleId", "occurredAt", points, "bonusPoints", explanation, "byRule", "byBooster", "earnTransferId")
        SELECT e.id, e."partnerId", e."memberId", e."customerId", e.type, e."amountCents", e.currency, e.lines, e.channel,
               e."pointOfSaleId", e."occurredAt", e.points, e."bonusPoints", e.explanation, e."byRule", e."byBooster", earn_transfer
          FROM jsonb_populate_record(NULL::member_event, request->'event') e;
        FOR hook IN SELECT * FROM jsonb_array_elements(request->'webhooks') LOOP
          INSERT INTO webhook_delivery ("endpointId", event, payload)
          VALUES ((hook->>'endpointId')::uuid, hook->>'event', hook->'payload') RETURNING id INTO delivery;
          INSERT INTO outbox_entry (process, "subjectId") VALUES ('webhook_delivery', delivery)
          ON CONFLICT DO NOTHING RETURNING id INTO entry;
          IF entry IS NOT NULL THEN
            outbox := outbox || entry;
          END IF;
        END LOOP;
        RETURN jsonb_build_object('result', 'ok', 'outbox', to_jsonb(outbox));
      END
      $fn$
`;

export class LedgerWriteFunctionV31796040100000 implements MigrationInterface {
  name = 'LedgerWriteFunctionV31796040100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(replay);
    await queryRunner.query(consumeLots);
    await queryRunner.query(restoreLots);
    await queryRunner.query(write);
    await queryRunner.query(recordEvent);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION tessera_record_event_v4(jsonb)`);
    await queryRunner.query(`DROP FUNCTION ledger_write_v3(jsonb)`);
    await queryRunner.query(`DROP FUNCTION ledger_replay_v2(text, text, text)`);
    await queryRunner.query(`DROP FUNCTION ledger_restore_lots_v2(uuid, uuid, uuid[], bigint)`);
    await queryRunner.query(`DROP FUNCTION ledger_consume_lots_v2(uuid, uuid, bigint, uuid[], uuid[], uuid)`);
  }
}
