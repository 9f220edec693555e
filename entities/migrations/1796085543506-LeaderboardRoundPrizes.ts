import { MigrationInterface, QueryRunner } from "typeorm";

export class LeaderboardRoundPrizes1796085543506 implements MigrationInterface {
    name = 'LeaderboardRoundPrizes1796085543506'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "leaderboard_round"
            ADD "prizes" jsonb
        `);
        // Periods frozen before this column pay the prizes their leaderboard has now, as they did.
        await queryRunner.query(`
            UPDATE "leaderboard_round" r SET "prizes" = b."prizes"
              FROM "leaderboard" b WHERE b."id" = r."leaderboardId" AND r."frozenAt" IS NOT NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "leaderboard_round" DROP COLUMN "prizes"
        `);
    }

}
