import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** That a member was told of a booster: a retried announcement never tells anyone twice. */
@Entity({ name: 'booster_announcement' })
@Unique('booster_announcement_once_per_member', ['boosterId', 'memberId'])
export class BoosterAnnouncement extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  boosterId: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  sentAt: Date;
}
