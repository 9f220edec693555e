import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person of the coalition. Stores know them by their own customer ids (see MemberLink); the
 * coalition reaches them by a verified email or phone. A customer a store knows but the coalition
 * cannot yet reach is a provisional member of that store alone.
 */
@Entity({ name: 'member' })
// One person per verified address: a second member proving the same address is the same person.
@Index('member_verified_email', ['email'], { unique: true, where: '"emailVerifiedAt" IS NOT NULL AND "mergedIntoId" IS NULL' })
@Index('member_verified_phone', ['phone'], { unique: true, where: '"phoneVerifiedAt" IS NOT NULL AND "mergedIntoId" IS NULL' })
// Care's search (see the migration MemberReadIndexes): a reference in any case, a phone by its last
// digits, part of an email or a name.
@Index('member_external_id_lower', { synchronize: false })
@Index('member_phone_reversed', { synchronize: false })
@Index('member_email_trigrams', { synchronize: false })
@Index('member_name_trigrams', { synchronize: false })
export class Member extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /**
   * The member's reference in the back office: the customer id the first store knew them by (with
   * that store's code when another member has it already), or a generated one for a member who
   * enrolled on their own. Stores address members by their own ids, never by this.
   */
  @Column({ type: 'text', unique: true })
  externalId: string;

  /** Lower case. */
  @Index()
  @Column({ type: 'text', nullable: true })
  email: string | null;

  /** When the member proved the email reaches them (a code they received, or a store that checked it). */
  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  /** E.164. */
  @Index()
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  phoneVerifiedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  displayName: string | null;

  /** Set while only this store knows the member: no other store may address or link them. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  provisionalPartnerId: string | null;

  /** Set once this member was merged into another: their links, points and events are there now. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  /** The day the member was born (`YYYY-MM-DD`), as they gave it: their birthday message and bonus come around it. */
  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  /** The language the member reads, as a BCP 47 tag (`en`, `fr-BE`). */
  @Column({ type: 'text', default: 'en' })
  language: string;

  /** The member's IANA time zone: their days (a birthday) begin and end there. */
  @Column({ type: 'text', default: 'UTC' })
  timeZone: string;

  /**
   * The member's own choices of the messages they get, by kind and channel (`{"marketing": {"sms":
   * false}}`); whatever they did not choose follows the program's defaults (loyalty/member-preferences.ts).
   */
  @Column({ type: 'jsonb', default: {} })
  messagePreferences: Record<string, Record<string, boolean>>;

  @CreateDateColumn({ type: 'timestamptz' })
  enrolledAt: Date;
}
