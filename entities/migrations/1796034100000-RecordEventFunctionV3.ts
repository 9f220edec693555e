import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * tessera_record_event_v3: tessera_record_event_v2 (1796027000000-RecordEventFunctionV2) writing
 * the ledger through ledger_write_v2 (1796034000000-LedgerWriteFunctionV2), whose plan carries
 * each account's summed change. v2 stays for processes still running the previous release.
 */
export class RecordEventFunctionV31796034100000 implements MigrationInterface {
  name = 'RecordEventFunctionV31796034100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION tessera_record_event_v3(request jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
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
          answer := ledger_write_v2(request->'ledger');
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
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION tessera_record_event_v3(jsonb)`);
  }
}
