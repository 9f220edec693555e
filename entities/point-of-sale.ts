import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Partner } from './partner.js';

export const salesChannels = ['web', 'app', 'store'] as const;
export type SalesChannel = (typeof salesChannels)[number];

/** A place where a partner sells: a web shop, an app, a physical store. Rules can target it. */
@Entity({ name: 'point_of_sale' })
@Unique('point_of_sale_code_per_partner', ['partnerId', 'code'])
export class PointOfSale extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne(() => Partner, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  /** The partner's own identifier, as its API calls name it. */
  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  channel: SalesChannel;

  /** Other names its receipts print (a brand, a legal name), for matching photographed receipts to it. */
  @Column({ type: 'text', array: true, default: '{}' })
  receiptNames: string[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
