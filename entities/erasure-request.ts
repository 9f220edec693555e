import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const erasureRequestStatuses = ['awaiting_approval', 'erased', 'rejected'] as const;
export type ErasureRequestStatus = (typeof erasureRequestStatuses)[number];

/**
 * A member's request to be erased that reached care (by mail, by phone): a staff member records
 * it with the reason, and another one approves it (then the member is erased) or rejects it.
 */
@Entity({ name: 'erasure_request' })
// One request waits per member at a time.
@Index('erasure_request_waiting', ['memberId'], { unique: true, where: `"status" = 'awaiting_approval'` })
export class ErasureRequest extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  memberId: string;

  /** How the request reached care, and when: what the approver checks. */
  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'awaiting_approval' })
  status: ErasureRequestStatus;

  /** The staff member who took the request: never the one who decides. */
  @Column({ type: 'text' })
  requestedBy: string;

  @Column({ type: 'text', nullable: true })
  decidedBy: string | null;

  /** The erasure an approval made. */
  @Column({ type: 'uuid', nullable: true })
  erasureId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
