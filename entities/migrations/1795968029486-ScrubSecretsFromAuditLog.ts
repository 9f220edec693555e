import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Data only: the audit log recorded webhook endpoints as the back office showed them, signing secret
 * included. Secrets are shown once and never again, so the recorded copies go; the secrets
 * themselves stay where they are used (webhook_endpoint, api_key, staff_user, program_settings).
 */
export class ScrubSecretsFromAuditLog1795968029486 implements MigrationInterface {
    name = 'ScrubSecretsFromAuditLog1795968029486'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            UPDATE "audit_entry"
            SET "before" = "before" - ARRAY['secret', 'secretHash', 'passwordHash', 'widgetSecret'],
                "after" = "after" - ARRAY['secret', 'secretHash', 'passwordHash', 'widgetSecret']
            WHERE "before" ?| ARRAY['secret', 'secretHash', 'passwordHash', 'widgetSecret']
               OR "after" ?| ARRAY['secret', 'secretHash', 'passwordHash', 'widgetSecret']
        `);
    }

    public async down(): Promise<void> {
        // The copies removed are not kept anywhere: there is nothing to put back.
    }

}
