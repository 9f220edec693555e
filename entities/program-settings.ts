import { BaseEntity, Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, decimalNumber } from './number-columns.js';

/** How long earned points live. Points stay valid through their expiry date (UTC). */
export type ExpiryPolicy =
  | { mode: 'never' }
  /** A validity period from the day they are earned. */
  | { mode: 'period'; months: number }
  /** A fixed yearly date (e.g. 31 December), `yearsAfter` years after the first one following the earn. */
  | { mode: 'fixed_date'; month: number; day: number; yearsAfter: number }
  /** The member's enrolment anniversary, the first one at least `minimumMonths` after the earn. */
  | { mode: 'anniversary'; minimumMonths: number };

/**
 * What a refund does when the member has already spent the points it takes back: `refuse` it (the
 * store gets a 422 and records nothing), or take what is left and record the rest as a `debt`
 * recovered from the member's next earns. Never a negative balance either way.
 */
export const refundShortfallPolicies = ['debt', 'refuse'] as const;
export type RefundShortfallPolicy = (typeof refundShortfallPolicies)[number];

/** How a birthday message goes: by email, by SMS, or by email when the member can get it and by SMS otherwise. */
export const birthdayChannels = ['email', 'sms', 'email_or_sms'] as const;
export type BirthdayChannel = (typeof birthdayChannels)[number];

/**
 * Where the points of a member who is erased go: to `breakage`, or back to the wallets of the
 * `funders` who paid for them (points the program funded go to breakage either way). Each lot is
 * forfeited on its own, attributed to its funder.
 */
export const erasureForfeitures = ['breakage', 'funders'] as const;
export type ErasureForfeiture = (typeof erasureForfeitures)[number];

/** The program's own settings: one row. */
@Entity({ name: 'program_settings' })
@Check('program_settings_single_row', '"id" = 1')
@Check('program_settings_refund_shortfall', `"refundShortfall" IN ('debt', 'refuse')`)
@Check('program_settings_backdate_days', '"eventBackdateDays" BETWEEN 0 AND 366')
@Check(
  'program_settings_birthday',
  `"birthdayBonusPoints" >= 0 AND "birthdayDaysBefore" BETWEEN 0 AND 31 AND "birthdayDaysAfter" BETWEEN 0 AND 31 AND "birthdayChannel" IN ('email', 'sms', 'email_or_sms')`,
)
@Check('program_settings_erasure_forfeiture', `"erasureForfeiture" IN ('breakage', 'funders')`)
@Check(
  'program_settings_partner_campaign_guardrails',
  '"partnerCampaignMaxMultiplier" >= 1 AND "partnerCampaignMaxPointsPerUnit" > 0 AND "partnerCampaignMaxPoints" >= 1',
)
@Check('program_settings_vat_rate', '"vatRatePercent" BETWEEN 0 AND 100')
@Check('program_settings_point_value', '"pointValueMinor" > 0')
@Check('program_settings_pending_days', '"pendingDays" BETWEEN 0 AND 90')
@Check('program_settings_event_retention', '"eventRetentionMonths" >= 1')
@Check('program_settings_referral_minimum', '"referralMinimumCents" >= 1')
export class ProgramSettings extends BaseEntity {
  @PrimaryColumn({ type: 'integer', default: 1 })
  id: number;

  @Column({ type: 'jsonb', default: { mode: 'period', months: 24 } })
  expiryPolicy: ExpiryPolicy;

  /** Qualifying points for tiers are counted over this many past days. */
  @Column({ type: 'integer', default: 365 })
  tierWindowDays: number;

  /** Member-to-member transfers: the most one transfer may move, and one member may send a day. */
  @Column({ type: 'bigint', default: 10_000, transformer: bigintNumber })
  transferMaxPoints: number;

  @Column({ type: 'bigint', default: 25_000, transformer: bigintNumber })
  transferMaxPointsPerDay: number;

  /** Care adjustments of more points than this (either way) wait for a supervisor's approval. */
  @Column({ type: 'bigint', default: 500, transformer: bigintNumber })
  careApprovalThreshold: number;

  /** Members' events are kept this many months; older months' partitions may be archived and dropped (npm run partitions:retire). */
  @Column({ type: 'integer', default: 36 })
  eventRetentionMonths: number;

  /** Partners may report an event this many days after it happened, no earlier. */
  @Column({ type: 'integer', default: 30 })
  eventBackdateDays: number;

  @Column({ type: 'text', default: 'debt' })
  refundShortfall: RefundShortfallPolicy;

  @Column({ type: 'text', default: 'breakage' })
  erasureForfeiture: ErasureForfeiture;

  /** Signs the earn widget's member tokens; random per installation, made on first use. */
  @Column({ type: 'text', nullable: true, select: false })
  widgetSecret: string | null;

  /**
   * Members get a birthday message (in their time zone, once a year, by `birthdayChannel`) from
   * `birthdayDaysBefore` days before their birthday to `birthdayDaysAfter` days after it, with
   * `birthdayBonusPoints` from the program when above 0.
   */
  @Column({ type: 'boolean', default: false })
  birthdayGreetings: boolean;

  @Column({ type: 'bigint', default: 0, transformer: bigintNumber })
  birthdayBonusPoints: number;

  @Column({ type: 'integer', default: 0 })
  birthdayDaysBefore: number;

  @Column({ type: 'integer', default: 0 })
  birthdayDaysAfter: number;

  @Column({ type: 'text', default: 'email' })
  birthdayChannel: BirthdayChannel;

  /** Signs the unsubscribe links of members' messages; random per installation, made on first use. */
  @Column({ type: 'text', nullable: true, select: false })
  unsubscribeSecret: string | null;

  /** Guardrails of the campaigns partners set up themselves: the highest multiplier (a booster)... */
  @Column({ type: 'numeric', precision: 6, scale: 2, default: 3, transformer: decimalNumber })
  partnerCampaignMaxMultiplier: number;

  /** ...the most points per unit of the program's currency (or per item)... */
  @Column({ type: 'numeric', precision: 8, scale: 2, default: 10, transformer: decimalNumber })
  partnerCampaignMaxPointsPerUnit: number;

  /** ...the most fixed or bonus points one event or moment gives a member... */
  @Column({ type: 'bigint', default: 1_000, transformer: bigintNumber })
  partnerCampaignMaxPoints: number;

  /** ...and whether the operator approves each one before it runs. */
  @Column({ type: 'boolean', default: true })
  partnerCampaignsNeedApproval: boolean;
  /** Who issues the invoices partners download: the operator's name, as it appears on them. */
  @Column({ type: 'text', default: 'Tessera' })
  invoiceIssuer: string;

  /**
   * The VAT rate (percent) included in the price of the point packages sold from now on; each
   * invoice keeps the rate of its sale. 0 until the operator sets the one that applies to it.
   */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 0, transformer: decimalNumber })
  vatRatePercent: number;

  /**
   * The program's currency (ISO 4217): what points are worth in, what events in other currencies are
   * converted to, and what statements and liability reports are counted in.
   */
  @Column({ type: 'text', default: 'EUR' })
  currency: string;

  /**
   * What one point is worth when a member spends it, in minor units of the program's currency (1: a
   * point pays one cent). Fractions allowed (0.5: two points a cent).
   */
  @Column({ type: 'numeric', precision: 12, scale: 4, default: 1, transformer: decimalNumber })
  pointValueMinor: number;

  /**
   * Days a purchase's points stay pending (the return window): shown to the member, not spendable,
   * confirmed at the end of the window, cancelled by a refund inside it. 0: credited at once.
   */
  @Column({ type: 'integer', default: 0 })
  pendingDays: number;
  /** Paying at checkout: the fewest points a payment may use... */
  @Column({ type: 'bigint', default: 1, transformer: bigintNumber })
  paymentMinPoints: number;

  /** ...the largest share of the basket's eligible amount points may pay, in percent... */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 100, transformer: decimalNumber })
  paymentMaxSharePercent: number;

  /** ...and the categories of basket lines points never pay for, comma-separated as typed (`gift cards, tobacco`). */
  @Column({ type: 'text', default: '' })
  paymentExcludedCategories: string;

  /**
   * What the partners who funded a point pay the party that honoured it, in minor units of the
   * program's currency; null: the value of a point (pointValueMinor).
   */
  @Column({ type: 'numeric', precision: 12, scale: 4, nullable: true, transformer: decimalNumber })
  clearingValueMinor: number | null;

  /**
   * The share (percent) of the value of expired points that their funder pays the operator; the rest
   * stays with the funder, whose points lapsed unspent.
   */
  @Column({ type: 'numeric', precision: 5, scale: 2, default: 0, transformer: decimalNumber })
  breakageOperatorSharePercent: number;

  /**
   * The least purchase (minor units of the program's currency, after conversion) that qualifies a
   * referred friend: a token purchase must not earn the referrer a reward.
   */
  @Column({ type: 'bigint', default: 1000, transformer: bigintNumber })
  referralMinimumCents: number;
}
