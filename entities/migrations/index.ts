// Rewritten by `npm run migration:generate`: the migrations, oldest first.
import { Ledger1795559634665 } from './1795559634665-Ledger.js';
import { PartnersFunding1795560481450 } from './1795560481450-PartnersFunding.js';
import { EarningRules1795560700518 } from './1795560700518-EarningRules.js';
import { MemberEvents1795560806978 } from './1795560806978-MemberEvents.js';
import { PartnerApi1795561024256 } from './1795561024256-PartnerApi.js';
import { WidgetSecret1795561188946 } from './1795561188946-WidgetSecret.js';
import { BackOffice1795562278464 } from './1795562278464-BackOffice.js';
import { WidgetSecretMadeInCode1795562474244 } from './1795562474244-WidgetSecretMadeInCode.js';
import { CareAdjustments1795562968179 } from './1795562968179-CareAdjustments.js';
import { SentEmailsAndRewardImages1795563751854 } from './1795563751854-SentEmailsAndRewardImages.js';
import { ExpiryAlerts1795564275305 } from './1795564275305-ExpiryAlerts.js';
import { RedemptionOrders1795564473623 } from './1795564473623-RedemptionOrders.js';
import { FundingAlerts1795565151874 } from './1795565151874-FundingAlerts.js';
import { Webhooks1795565821483 } from './1795565821483-Webhooks.js';
import { WebhookOutbox1795950433753 } from './1795950433753-WebhookOutbox.js';
import { BoosterAnnouncements1795951152210 } from './1795951152210-BoosterAnnouncements.js';
import { RefundsDebtsAndEventTime1795967355738 } from './1795967355738-RefundsDebtsAndEventTime.js';
import { ScrubSecretsFromAuditLog1795968029486 } from './1795968029486-ScrubSecretsFromAuditLog.js';
import { OutboxAndHoldLimits1795968361130 } from './1795968361130-OutboxAndHoldLimits.js';
import { PointsAreBigint1795970718319 } from './1795970718319-PointsAreBigint.js';
import { FulfilmentOrders1795970744634 } from './1795970744634-FulfilmentOrders.js';
import { OrdersRecordedBeforePlacing1795974728792 } from './1795974728792-OrdersRecordedBeforePlacing.js';
import { StaffEmailIgnoresCase1795975588864 } from './1795975588864-StaffEmailIgnoresCase.js';
import { MemberLinks1795978665161 } from './1795978665161-MemberLinks.js';
import { SentSms1795978964890 } from './1795978964890-SentSms.js';
import { MemberCodesAndSessions1795979927692 } from './1795979927692-MemberCodesAndSessions.js';

export const migrations = [Ledger1795559634665, PartnersFunding1795560481450, EarningRules1795560700518, MemberEvents1795560806978, PartnerApi1795561024256, WidgetSecret1795561188946, BackOffice1795562278464, WidgetSecretMadeInCode1795562474244, CareAdjustments1795562968179, SentEmailsAndRewardImages1795563751854, ExpiryAlerts1795564275305, RedemptionOrders1795564473623, FundingAlerts1795565151874, Webhooks1795565821483, WebhookOutbox1795950433753, BoosterAnnouncements1795951152210, RefundsDebtsAndEventTime1795967355738, ScrubSecretsFromAuditLog1795968029486, OutboxAndHoldLimits1795968361130, PointsAreBigint1795970718319, FulfilmentOrders1795970744634, OrdersRecordedBeforePlacing1795974728792, StaffEmailIgnoresCase1795975588864, MemberLinks1795978665161, SentSms1795978964890, MemberCodesAndSessions1795979927692];
