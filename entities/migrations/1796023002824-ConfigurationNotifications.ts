import { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose rows web processes cache; a committed change of any of them is announced. */
const watched = [
  'partner',
  'earning_rule',
  'booster',
  'bonus',
  'campaign',
  'tier',
  'program_settings',
  'segment',
  'point_of_sale',
  'credit_program',
  'funding_source',
  'exchange_rate',
  'webhook_endpoint',
];

/**
 * Every process caches API keys and the program's configuration until it hears, on the channel
 * `tessera_configuration`, that one of their tables changed (PostgreSQL sends it at commit).
 * An API key's use (lastUsedAt) is no change of what is cached: only the columns that decide are watched.
 */
export class ConfigurationNotifications1796023002824 implements MigrationInterface {
  name = 'ConfigurationNotifications1796023002824';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION tessera_configuration_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tessera_configuration', TG_TABLE_NAME);
        RETURN NULL;
      END $$
    `);
    for (const table of watched) {
      await queryRunner.query(`
        CREATE TRIGGER configuration_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}"
        FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
      `);
    }
    await queryRunner.query(`
      CREATE TRIGGER configuration_changed
      AFTER INSERT OR UPDATE OF "partnerId", prefix, "secretHash", "revokedAt" OR DELETE OR TRUNCATE ON api_key
      FOR EACH STATEMENT EXECUTE FUNCTION tessera_configuration_changed()
    `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...watched, 'api_key']) await queryRunner.query(`DROP TRIGGER configuration_changed ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION tessera_configuration_changed()`);
  }
}
