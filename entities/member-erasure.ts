import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';
import type { ErasureForfeiture } from './program-settings.js';

/** Points an erasure forfeited from the lots one funder paid for (null: the program). */
export interface ForfeitedPoints {
  partnerId: string | null;
  points: number;
}

/**
 * That a member's personal data was erased: when, on whose request, why, and the points it
 * forfeited to breakage. It holds nothing that names the member (who is a pseudonym now).
 */
@Entity({ name: 'member_erasure' })
export class MemberErasure extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The erased member: a member is erased once. */
  @Index({ unique: true })
  @Column({ type: 'uuid' })
  memberId: string;

  /** `member` when they asked from their dashboard, else the staff member who took their request. */
  @Column({ type: 'text' })
  requestedBy: string;

  /** The staff member who approved a request staff took (four eyes); null for the member's own. */
  @Column({ type: 'text', nullable: true })
  approvedBy: string | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  pointsForfeited: number;

  /** Where they went, as the program's settings said then. */
  @Column({ type: 'text' })
  forfeitedTo: ErasureForfeiture;

  /** The forfeited points by funder of the lots they came from. */
  @Column({ type: 'jsonb', default: [] })
  byFunder: ForfeitedPoints[];

  @CreateDateColumn({ type: 'timestamptz' })
  erasedAt: Date;
}
