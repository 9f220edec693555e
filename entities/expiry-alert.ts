import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** That a member was told a lot of points would expire, N days ahead: never twice for the same lot. */
@Entity({ name: 'expiry_alert' })
@Unique('expiry_alert_once_per_lot', ['lotId', 'daysAhead'])
export class ExpiryAlert extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  lotId: string;

  @Column({ type: 'integer' })
  daysAhead: number;

  @Column({ type: 'uuid' })
  memberId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;
}
