import {
  BaseEntity,
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { bigintNumber, decimalNumber } from './number-columns.js';
import { Partner } from './partner.js';

/** The operator's own party in the clearing: it honours catalog redemptions and funds its own points. */
export const operatorParty = 'operator';

export const settlementStatuses = ['computed', 'emailed'] as const;
export type SettlementStatus = (typeof settlementStatuses)[number];

/**
 * issued: points a party funded in the period. redeemed_at: points honoured at the party, per funder.
 * redeemed_elsewhere: the party's points honoured at another party. breakage: the party's points that
 * expired, with the operator's share. breakage_share: that share, on the operator's statement.
 */
export const settlementLineKinds = ['issued', 'redeemed_at', 'redeemed_elsewhere', 'breakage', 'breakage_share'] as const;
export type SettlementLineKind = (typeof settlementLineKinds)[number];

/**
 * What one party (a partner, or the operator) receives or pays for one month of the coalition's
 * activity. One per period and party: computing a period again changes nothing.
 */
@Entity({ name: 'settlement_statement' })
@Unique('settlement_statement_period_party', ['period', 'party'])
@Check('settlement_statement_party_matches', `"party" = COALESCE("partnerId"::text, 'operator')`)
export class SettlementStatement extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The month, `YYYY-MM` (UTC): transfers from periodStart (included) to periodEnd (excluded). */
  @Index()
  @Column({ type: 'text' })
  period: string;

  @Column({ type: 'timestamptz' })
  periodStart: Date;

  @Column({ type: 'timestamptz' })
  periodEnd: Date;

  /** The partner's id, or `operator`. */
  @Column({ type: 'text' })
  party: string;

  /** Null for the operator's statement. */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'partnerId' })
  partner?: Partner;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The clearing value of a point and the operator's share of breakage the statement was computed with. */
  @Column({ type: 'numeric', precision: 12, scale: 4, transformer: decimalNumber })
  clearingValueMinor: number;

  @Column({ type: 'numeric', precision: 5, scale: 2, transformer: decimalNumber })
  breakageOperatorSharePercent: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  issuedPoints: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  issuedValueMinor: number;

  /** Points honoured at this party, whoever funded them (its own included). */
  @Column({ type: 'bigint', transformer: bigintNumber })
  redeemedAtPoints: number;

  /** What the other funders owe this party for the points it honoured. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  redeemedAtValueMinor: number;

  /** This party's points honoured by others. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  redeemedElsewherePoints: number;

  /** What this party owes the others for them. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  redeemedElsewhereValueMinor: number;

  /** This party's points that expired, and their value. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  breakagePoints: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  breakageValueMinor: number;

  /** The operator's share of the breakage: paid by a funder, received by the operator. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  breakageOperatorShareMinor: number;

  /** What the party receives (positive) or pays (negative), in minor units. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  netMinor: number;

  @Column({ type: 'text', default: 'computed' })
  status: SettlementStatus;

  @Column({ type: 'timestamptz', nullable: true })
  emailedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  emailedTo: string | null;

  @OneToMany(() => SettlementLine, (line) => line.statement)
  lines?: SettlementLine[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One figure of a statement against one counterparty, with the transfers behind it. */
@Entity({ name: 'settlement_line' })
@Unique('settlement_line_position', ['statementId', 'position'])
export class SettlementLine extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  statementId: string;

  @ManyToOne(() => SettlementStatement, (statement) => statement.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'statementId' })
  statement?: SettlementStatement;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text' })
  kind: SettlementLineKind;

  /** The other party (a partner's id, or `operator`); null on an issued line. */
  @Column({ type: 'text', nullable: true })
  counterparty: string | null;

  @Column({ type: 'uuid', nullable: true })
  counterpartyPartnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'counterpartyPartnerId' })
  counterpartyPartner?: Partner;

  /** Net of reversals in the period, so it may be negative. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  points: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  valueMinor: number;

  /** What this line adds to the statement's net: received positive, paid negative, 0 between a party and itself. */
  @Column({ type: 'bigint', transformer: bigintNumber })
  amountMinor: number;

  /** The ledger transfers whose lot movements make up the points (the drill-down). */
  @Column({ type: 'uuid', array: true })
  transferIds: string[];
}
