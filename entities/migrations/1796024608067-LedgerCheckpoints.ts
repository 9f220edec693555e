import { MigrationInterface, QueryRunner } from "typeorm";

export class LedgerCheckpoints1796024608067 implements MigrationInterface {
    name = 'LedgerCheckpoints1796024608067'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "ledger_checkpoint" (
                "id" BIGSERIAL NOT NULL,
                "checkedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "full" boolean NOT NULL,
                "transferSeq" bigint NOT NULL,
                "transferGaps" bigint array NOT NULL DEFAULT '{}',
                "consumptionId" bigint NOT NULL,
                "consumptionGaps" bigint array NOT NULL DEFAULT '{}',
                CONSTRAINT "PK_04f2becf57157d596affc489454" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "ledger_checkpoint_balance" (
                "accountId" uuid NOT NULL,
                "shard" integer NOT NULL,
                "debitsPosted" bigint NOT NULL,
                "creditsPosted" bigint NOT NULL,
                "debitsPending" bigint NOT NULL,
                "creditsPending" bigint NOT NULL,
                CONSTRAINT "PK_d7155ccb937d6974fd8edd5c91e" PRIMARY KEY ("accountId", "shard")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "ledger_checkpoint_balance"
        `);
        await queryRunner.query(`
            DROP TABLE "ledger_checkpoint"
        `);
    }

}
