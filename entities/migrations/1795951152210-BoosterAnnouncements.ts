import { MigrationInterface, QueryRunner } from "typeorm";

export class BoosterAnnouncements1795951152210 implements MigrationInterface {
    name = 'BoosterAnnouncements1795951152210'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "booster_announcement" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "boosterId" uuid NOT NULL,
                "memberId" uuid NOT NULL,
                "sentAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "booster_announcement_once_per_member" UNIQUE ("boosterId", "memberId"),
                CONSTRAINT "PK_32206b52c1b7b886d7c44811149" PRIMARY KEY ("id")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "booster_announcement"
        `);
    }

}
