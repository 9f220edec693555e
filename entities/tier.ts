import { BaseEntity, Check, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import { decimalNumber } from './number-columns.js';

/** A status level reached by qualifying points over the program's rolling window. */
@Entity({ name: 'tier' })
@Check('tier_threshold_non_negative', '"threshold" >= 0 AND "multiplier" >= 1')
export class Tier extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  /** Qualifying points needed within the window. */
  @Column({ type: 'bigint', unique: true, transformer: bigintNumber })
  threshold: number;

  /** Applied to every earn of members in the tier (1.25 = +25 %). */
  @Column({ type: 'numeric', precision: 4, scale: 2, default: 1, transformer: decimalNumber })
  multiplier: number;

  @Column({ type: 'text', array: true, default: [] })
  benefits: string[];

  /** The level members of this tier are shown on their dashboard (a game's name for it), or none. */
  @Column({ type: 'text', nullable: true })
  levelName: string | null;

  /** The level's emblem, one of those shipped (engagement/emblems.ts). */
  @Column({ type: 'text', nullable: true })
  levelEmblem: string | null;
}
