// Every workflow the worker runs. Workflow files import only @temporalio/workflow and activity types.
export { holdTimeoutWorkflow } from './hold-timeout.workflow.js';
export { ledgerAuditWorkflow } from './ledger-audit.workflow.js';
export { careApprovalWorkflow, careDecisionSignal } from './care-approval.workflow.js';
export { pointsExpiryWorkflow } from './points-expiry.workflow.js';
export { cancelFulfilmentSignal, rewardFulfilmentWorkflow, shipmentReportedSignal } from './reward-fulfilment.workflow.js';
export { fundingAlertsWorkflow } from './funding-alerts.workflow.js';
export { reactivationWorkflow } from './reactivation.workflow.js';
export { boosterWindowWorkflow } from './booster-window.workflow.js';
export { partnerReportsWorkflow } from './partner-reports.workflow.js';
export { webhookDeliveryWorkflow } from './webhook-delivery.workflow.js';
export { outboxSweepWorkflow } from './outbox-sweep.workflow.js';
export { memberMessageWorkflow } from './member-message.workflow.js';
export { birthdayWorkflow } from './birthday.workflow.js';
export { campaignLifecycleWorkflow } from './campaign-lifecycle.workflow.js';
export { campaignNoticeWorkflow } from './campaign-notice.workflow.js';
export { campaignApprovalWorkflow, campaignDecisionSignal } from './campaign-approval.workflow.js';
export { staffInvitationWorkflow } from './staff-invitation.workflow.js';
export { monthlySettlementWorkflow } from './monthly-settlement.workflow.js';
