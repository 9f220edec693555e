import { ApiKey } from './api-key.js';
import { ApiRequest } from './api-request.js';
import { AuditEntry } from './audit-entry.js';
import { Bonus } from './bonus.js';
import { Booster } from './booster.js';
import { BoosterAnnouncement } from './booster-announcement.js';
import { Campaign } from './campaign.js';
import { CareAdjustment } from './care-adjustment.js';
import { Company, CompanyEmployee, CompanyFunding, CompanyManager } from './company.js';
import { EarningRule } from './earning-rule.js';
import { ErasureRequest } from './erasure-request.js';
import { EventRefund } from './event-refund.js';
import { ExpiryAlert } from './expiry-alert.js';
import { FulfilmentOrder } from './fulfilment-order.js';
import { FundingAlert } from './funding-alert.js';
import { FundingSource } from './funding-source.js';
import { Invoice } from './invoice.js';
import { LedgerAccount } from './ledger-account.js';
import { LedgerBalance } from './ledger-balance.js';
import { DailyFigure } from './daily-figure.js';
import { DailyFigureWatermark } from './daily-figure-watermark.js';
import { HoldingFigure } from './holding-figure.js';
import { LedgerCheckpoint, LedgerCheckpointBalance } from './ledger-checkpoint.js';
import { LedgerHoldResolution } from './ledger-hold-resolution.js';
import { LedgerIdempotency } from './ledger-idempotency.js';
import { LedgerTransfer } from './ledger-transfer.js';
import { LotConsumption } from './lot-consumption.js';
import { Member } from './member.js';
import { MemberLink } from './member-link.js';
import { MemberLinkRemoval } from './member-link-removal.js';
import { MemberMerge } from './member-merge.js';
import { MemberErasure } from './member-erasure.js';
import { MemberCode } from './member-code.js';
import { MemberMessage } from './member-message.js';
import { MemberSession } from './member-session.js';
import { OutboxEntry } from './outbox-entry.js';
import { MemberEvent } from './member-event.js';
import { Partner } from './partner.js';
import { Payment } from './payment.js';
import { PointLot } from './point-lot.js';
import { PointOfSale } from './point-of-sale.js';
import { PointPackage } from './point-package.js';
import { PointsDebt } from './points-debt.js';
import { ProgramSettings } from './program-settings.js';
import { Redemption } from './redemption.js';
import { Reward } from './reward.js';
import { SentEmail } from './sent-email.js';
import { SettlementLine, SettlementStatement } from './settlement-statement.js';
import { Segment } from './segment.js';
import { SentSms } from './sent-sms.js';
import { StaffUser } from './staff-user.js';
import { StaffInvitation } from './staff-invitation.js';
import { Tier } from './tier.js';
import { WebhookDelivery, WebhookEndpoint } from './webhook.js';
import { CreditProgram } from './credit-program.js';
import { Challenge, ChallengeContribution, ChallengeProgress } from './challenge.js';
import { MemberReferral, ReferralCode } from './referral.js';
import {
  Leaderboard,
  LeaderboardContribution,
  LeaderboardNameConsent,
  LeaderboardRound,
  LeaderboardScore,
  LeaderboardScoreBucket,
  LeaderboardStanding,
} from './leaderboard.js';
import { ExchangeRate } from './exchange-rate.js';
import { Badge, MemberBadge } from './badge.js';
import { InstantWinCampaign, InstantWinDraw } from './instant-win.js';
import { Receipt } from './receipt.js';
import { MessageCampaign, MessageCampaignRecipient } from './message-campaign.js';

export {
  ApiKey,
  Payment,
  ApiRequest,
  AuditEntry,
  Bonus,
  Booster,
  BoosterAnnouncement,
  Campaign,
  Segment,
  CareAdjustment,
  Company,
  CompanyEmployee,
  CompanyFunding,
  CompanyManager,
  EarningRule,
  ErasureRequest,
  EventRefund,
  ExpiryAlert,
  FulfilmentOrder,
  FundingAlert,
  Invoice,
  LedgerAccount,
  LedgerBalance,
  LedgerCheckpoint,
  LedgerCheckpointBalance,
  DailyFigure,
  DailyFigureWatermark,
  HoldingFigure,
  LedgerHoldResolution,
  LedgerIdempotency,
  LedgerTransfer,
  LotConsumption,
  Member,
  MemberEvent,
  MemberLink,
  MemberLinkRemoval,
  MemberMerge,
  MemberErasure,
  MemberCode,
  MemberMessage,
  MessageCampaign,
  MessageCampaignRecipient,
  MemberSession,
  OutboxEntry,
  Partner,
  PointLot,
  PointOfSale,
  PointPackage,
  PointsDebt,
  ProgramSettings,
  Redemption,
  Reward,
  SentEmail,
  SentSms,
  StaffUser,
  StaffInvitation,
  Tier,
  WebhookDelivery,
  WebhookEndpoint,
  FundingSource,
  SettlementStatement,
  SettlementLine,
  CreditProgram,
  ExchangeRate,
  Challenge,
  ChallengeProgress,
  ChallengeContribution,
  ReferralCode,
  MemberReferral,
  Badge,
  MemberBadge,
  Leaderboard,
  LeaderboardScore,
  LeaderboardScoreBucket,
  LeaderboardContribution,
  LeaderboardRound,
  LeaderboardStanding,
  LeaderboardNameConsent,
  InstantWinCampaign,
  InstantWinDraw,
  Receipt,
};
export { badgeEmblems, badgeRules, badgeStatuses } from './badge.js';
export type { BadgeEmblem, BadgeRule, BadgeStatus } from './badge.js';
export { webhookEvents } from './webhook.js';
export { challengeMetrics, challengePeriods, challengeStatuses } from './challenge.js';
export type { ChallengeMetric, ChallengePeriod, ChallengeStatus } from './challenge.js';
export { referralStatuses } from './referral.js';
export type { ReferralStatus } from './referral.js';
export { leaderboardMetrics, leaderboardPeriods, leaderboardStatuses } from './leaderboard.js';
export type { LeaderboardMetric, LeaderboardPeriod, LeaderboardPrize, LeaderboardStatus } from './leaderboard.js';
export { instantWinModes, instantWinOutcomes, instantWinStatuses } from './instant-win.js';
export type { InstantWinMode, InstantWinOutcome, InstantWinStatus } from './instant-win.js';
export { receiptReviewReasons, receiptSources, receiptStatuses } from './receipt.js';
export type { ReceiptLine, ReceiptReviewReason, ReceiptSource, ReceiptStatus } from './receipt.js';
export { outboxProcesses } from './outbox-entry.js';
export type { DailyFigureKind } from './daily-figure.js';
export type { OutboxProcess } from './outbox-entry.js';
export { campaignRecipientStatuses, messageCampaignChannels, messageCampaignStatuses } from './message-campaign.js';
export type { CampaignRecipientStatus, MessageCampaignChannel, MessageCampaignStatus } from './message-campaign.js';
export type { WebhookEvent } from './webhook.js';
export { redemptionStatuses } from './redemption.js';
export { fulfilmentOrderStates, rewardSupplierKinds } from './fulfilment-order.js';
export type { FulfilmentOrderState, RewardSupplierKind } from './fulfilment-order.js';
export { careAdjustmentStatuses } from './care-adjustment.js';
export type { CareAdjustmentStatus } from './care-adjustment.js';
export type { RedemptionStatus } from './redemption.js';
export { bonusMoments } from './bonus.js';
export { campaignStatuses } from './campaign.js';
export type { CampaignAudience, CampaignPlaces, CampaignReward, CampaignStatus, CampaignTrigger } from './campaign.js';
export type { BonusGoal, BonusMoment } from './bonus.js';
export type { SegmentConditions } from './segment.js';
export type { BoosterTarget } from './booster.js';
export type { Rounding, RuleCaps, RuleFormula } from './earning-rule.js';
export type { BirthdayChannel, ErasureForfeiture, ExpiryPolicy, RefundShortfallPolicy } from './program-settings.js';
export { birthdayChannels, erasureForfeitures, refundShortfallPolicies } from './program-settings.js';
export type { RefundedLine } from './event-refund.js';
export type { EventLineRecord } from './member-event.js';
export { partnerKinds } from './partner.js';
export type { PartnerKind } from './partner.js';
export { salesChannels } from './point-of-sale.js';
export type { SalesChannel } from './point-of-sale.js';
export type { AccountKind } from './ledger-account.js';
export { transferKinds, transferPhases } from './ledger-transfer.js';
export type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from './ledger-transfer.js';
export { staffRoles } from './staff-user.js';
export type { StaffRole } from './staff-user.js';

export const entities = [
  Receipt,
  Challenge,
  ChallengeProgress,
  ChallengeContribution,
  ReferralCode,
  MemberReferral,
  Badge,
  MemberBadge,
  Leaderboard,
  LeaderboardScore,
  LeaderboardScoreBucket,
  LeaderboardContribution,
  LeaderboardRound,
  LeaderboardStanding,
  LeaderboardNameConsent,
  InstantWinCampaign,
  InstantWinDraw,
  Partner,
  PointOfSale,
  ApiKey,
  ApiRequest,
  PointPackage,
  Invoice,
  ProgramSettings,
  EarningRule,
  Booster,
  Bonus,
  Campaign,
  Segment,
  Tier,
  Member,
  MemberEvent,
  MemberLink,
  MemberLinkRemoval,
  MemberMerge,
  MemberCode,
  MemberSession,
  MemberMessage,
  MessageCampaign,
  MessageCampaignRecipient,
  MemberErasure,
  ErasureRequest,
  Company,
  CompanyManager,
  CompanyEmployee,
  CompanyFunding,
  EventRefund,
  PointsDebt,
  Reward,
  Redemption,
  FulfilmentOrder,
  StaffUser,
  StaffInvitation,
  AuditEntry,
  CareAdjustment,
  SentEmail,
  SentSms,
  ExpiryAlert,
  BoosterAnnouncement,
  FundingAlert,
  WebhookEndpoint,
  WebhookDelivery,
  OutboxEntry,
  LedgerAccount,
  LedgerBalance,
  LedgerCheckpoint,
  LedgerCheckpointBalance,
  DailyFigure,
  DailyFigureWatermark,
  HoldingFigure,
  LedgerHoldResolution,
  LedgerIdempotency,
  LedgerTransfer,
  PointLot,
  LotConsumption,
  FundingSource,
  Payment,
  SettlementStatement,
  SettlementLine,
  CreditProgram,
  ExchangeRate,
];
export { pointsUnit } from './ledger-account.js';
export type { AccountUnit } from './ledger-account.js';
export { memberLinkCauses } from './member-link.js';
export type { MemberLinkCause } from './member-link.js';
export type { MemberMergeCause } from './member-merge.js';
export { memberCodePurposes, messageChannels } from './member-code.js';
export type { MemberCodePurpose, MessageChannel } from './member-code.js';
export { erasureRequestStatuses } from './erasure-request.js';
export type { ErasureRequestStatus } from './erasure-request.js';
export type { ForfeitedPoints } from './member-erasure.js';
export { fundingSourceKinds } from './funding-source.js';
export type { FundingSourceKind } from './funding-source.js';
export { paymentStatuses, paymentTenders } from './payment.js';
export type { PaymentStatus, PaymentTender } from './payment.js';
export { operatorParty, settlementLineKinds, settlementStatuses } from './settlement-statement.js';
export type { SettlementLineKind, SettlementStatus } from './settlement-statement.js';
