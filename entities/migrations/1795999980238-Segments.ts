import { MigrationInterface, QueryRunner } from "typeorm";

export class Segments1795999980238 implements MigrationInterface {
    name = 'Segments1795999980238'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "segment" (
                "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
                "name" text NOT NULL,
                "description" text NOT NULL DEFAULT '',
                "conditions" jsonb NOT NULL DEFAULT '{}',
                "createdBy" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "UQ_9e0406598d248857fe96f5e929d" UNIQUE ("name"),
                CONSTRAINT "PK_d648ac58d8e0532689dfb8ad7ef" PRIMARY KEY ("id")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "segment"
        `);
    }

}
