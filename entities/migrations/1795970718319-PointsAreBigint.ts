import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every points column becomes BIGINT, in place: `ALTER COLUMN ... TYPE` keeps the data, defaults,
 * checks and indexes (TypeORM would drop and re-add the columns, losing every value).
 */
const columns: [table: string, column: string][] = [
  ['partner', 'lowBalanceThreshold'],
  ['bonus', 'points'],
  ['care_adjustment', 'points'],
  ['funding_alert', 'available'],
  ['point_package', 'points'],
  ['invoice', 'points'],
  ['point_lot', 'points'],
  ['point_lot', 'remaining'],
  ['member_event', 'points'],
  ['member_event', 'bonusPoints'],
  ['program_settings', 'transferMaxPoints'],
  ['program_settings', 'transferMaxPointsPerDay'],
  ['program_settings', 'careApprovalThreshold'],
  ['redemption', 'points'],
  ['reward', 'pointsPrice'],
  ['tier', 'threshold'],
];

export class PointsAreBigint1795970718319 implements MigrationInterface {
  name = 'PointsAreBigint1795970718319';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of columns) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE bigint`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of columns) {
      await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE integer`);
    }
  }
}
