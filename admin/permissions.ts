import type { StaffRole } from '../entities/index.js';
import { concernsPartnerSql } from '../loyalty/engagement/instant-win-form.js';
import { checkStaffAccount } from '../loyalty/staff-accounts.js';
import type { StaffSession } from './staff-sign-in.js';

export type Access = 'read' | 'write';

/** Who may see (read) or change (write) each back-office resource; absent means neither. */
export const resourceAccess: Record<string, Partial<Record<StaffRole, Access>>> = {
  Partner: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'read',
  },
  PointOfSale: { operator_admin: 'write', program_manager: 'write', analyst: 'read', partner_user: 'read' },
  ApiKey: { operator_admin: 'read', partner_user: 'read' },
  PointPackage: { operator_admin: 'write', program_manager: 'write', analyst: 'read', partner_user: 'read' },
  // Write: sell packages (invoices themselves are never edited).
  Invoice: { operator_admin: 'write', program_manager: 'write', analyst: 'read', partner_user: 'read' },
  EarningRule: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  Booster: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  Bonus: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  // Partner users set up their own (scoped below), within the operator's guardrails.
  Campaign: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'write',
  },
  Tier: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  ProgramSettings: { operator_admin: 'write', program_manager: 'write', analyst: 'read' },
  Reward: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'read',
  },
  Member: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  MemberEvent: {
    operator_admin: 'read',
    program_manager: 'read',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'read',
  },
  LedgerTransfer: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  Redemption: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  // Orders are never edited: operator staff report them shipped or failed (actions below).
  FulfilmentOrder: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  StaffUser: { operator_admin: 'write' },
  AuditEntry: { operator_admin: 'read', care_supervisor: 'read', analyst: 'read' },
  // Write: set companies up (B2B) and fund them; their managers give the points from their dashboard.
  Company: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  CompanyFunding: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  CareAdjustment: { operator_admin: 'write', care_agent: 'write', care_supervisor: 'write', program_manager: 'read', analyst: 'read' },
  // Taken from a member's page and decided by the actions below: never created or edited as such.
  ErasureRequest: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  WebhookEndpoint: { operator_admin: 'write', program_manager: 'write', analyst: 'read', partner_user: 'read' },
  WebhookDelivery: { operator_admin: 'read', program_manager: 'read', analyst: 'read' },
  // Partner users set up their own challenges (scoped below); the program's are the operator's.
  Challenge: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'write',
  },
  // Partner users set up their own badges (scoped below); the program's are the operator's.
  Badge: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'write',
  },
  // Like challenges: partner users set up their own leaderboards (scoped below).
  Leaderboard: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'write',
  },
  // Partner users set up their own instant-win campaigns (scoped below); the draws are audited by the operator.
  InstantWinCampaign: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'write',
  },
  Segment: { operator_admin: 'write', program_manager: 'write', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  // A partner user reads its own sources (scoped below); the operator's staff set them up and fill them.
  FundingSource: { operator_admin: 'write', program_manager: 'write', analyst: 'read', partner_user: 'read' },
  // Made by stores through the API, never in the back office; a partner user reads its own (scoped below).
  Payment: {
    operator_admin: 'read',
    program_manager: 'read',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'read',
  },
  // Made by the monthly run, never edited; a partner user reads its own (scoped below).
  SettlementStatement: { operator_admin: 'read', program_manager: 'read', analyst: 'read', partner_user: 'read' },
  // A partner user reads its own closed program (scoped below), never the coalition's nor another partner's.
  CreditProgram: {
    operator_admin: 'write',
    program_manager: 'write',
    care_agent: 'read',
    care_supervisor: 'read',
    analyst: 'read',
    partner_user: 'read',
  },
  ExchangeRate: { operator_admin: 'write', program_manager: 'write', analyst: 'read' },
  // Sent by members and stores' apps; care settles those waiting for review (the action below), nobody edits them.
  Receipt: { operator_admin: 'read', program_manager: 'read', care_agent: 'read', care_supervisor: 'read', analyst: 'read' },
  // Sent to the program's segments, whose members only the operator's marketing reaches: not partners', nor care's.
  MessageCampaign: { operator_admin: 'write', program_manager: 'write', analyst: 'read' },
};

/** Custom actions, and the roles that may run them (their resource's write access is not enough). */
export const actionRoles: Record<string, StaffRole[]> = {
  'CareAdjustment.approve': ['care_supervisor', 'operator_admin'],
  'CareAdjustment.reject': ['care_supervisor', 'operator_admin'],
  'LedgerTransfer.reverse': ['operator_admin', 'care_supervisor'],
  // A partner user on its own partner's keys only (the scope of its records): a second key, then the old one revoked, rotates without a gap.
  'Partner.createApiKey': ['operator_admin', 'partner_user'],
  'Partner.widgetSnippet': ['operator_admin', 'program_manager', 'partner_user'],
  'StaffUser.unlock': ['operator_admin'],
  'StaffUser.resendInvitation': ['operator_admin'],
  'ApiKey.rotate': ['operator_admin', 'partner_user'],
  'ApiKey.revoke': ['operator_admin', 'partner_user'],
  // Whoever reads invoices, in their scope (a partner user its own).
  'Invoice.downloadPdf': ['operator_admin', 'program_manager', 'analyst', 'partner_user'],
  'WebhookEndpoint.rotateSecret': ['operator_admin', 'program_manager'],
  'Member.resendLastEmail': ['operator_admin', 'care_agent', 'care_supervisor'],
  'Member.exportData': ['operator_admin', 'care_agent', 'care_supervisor'],
  'Member.requestErasure': ['operator_admin', 'care_agent', 'care_supervisor'],
  // Care's search box and a member's history pages: whoever reads members.
  'Member.find': ['operator_admin', 'program_manager', 'care_agent', 'care_supervisor', 'analyst'],
  'Member.history': ['operator_admin', 'program_manager', 'care_agent', 'care_supervisor', 'analyst'],
  // A care adjustment asked for from the member's page: whoever may ask for one.
  'Member.adjustPoints': ['operator_admin', 'care_agent', 'care_supervisor'],
  'ErasureRequest.approve': ['care_supervisor', 'operator_admin'],
  'ErasureRequest.reject': ['care_supervisor', 'operator_admin'],
  'Booster.scheduleWindow': ['operator_admin', 'program_manager'],
  'Campaign.schedule': ['operator_admin', 'program_manager', 'partner_user'],
  'Campaign.pause': ['operator_admin', 'program_manager', 'partner_user'],
  'Campaign.resume': ['operator_admin', 'program_manager', 'partner_user'],
  'Campaign.end': ['operator_admin', 'program_manager', 'partner_user'],
  // A partner's campaign waiting for the operator: never decided by a partner, nor by whoever asked.
  'Campaign.approve': ['operator_admin', 'program_manager'],
  'Campaign.reject': ['operator_admin', 'program_manager'],
  'Redemption.cancelFulfilment': ['operator_admin', 'care_agent', 'care_supervisor'],
  'FulfilmentOrder.markShipped': ['operator_admin', 'program_manager'],
  'FulfilmentOrder.markFailed': ['operator_admin', 'program_manager'],
  // Whoever reads a campaign reads its results (a partner user: only where it may read the campaign).
  'Campaign.results': ['operator_admin', 'program_manager', 'care_agent', 'care_supervisor', 'analyst', 'partner_user'],
  // Members' contact details leave the back office: those who run campaigns only.
  'Segment.export': ['operator_admin', 'program_manager'],
  'FundingSource.allocate': ['operator_admin', 'program_manager'],
  // The program's liability: the operator's figures, never a partner's.
  'FundingSource.liability': ['operator_admin', 'program_manager', 'analyst'],
  // Whoever reads statements, in their scope (a partner user its own).
  'SettlementStatement.download': ['operator_admin', 'program_manager', 'analyst', 'partner_user'],
  // Accepting pays points: care's decision, as a care adjustment's request is.
  'Receipt.review': ['operator_admin', 'care_agent', 'care_supervisor'],
  'MessageCampaign.cancel': ['operator_admin', 'program_manager'],
};

const standardActions = new Set(['list', 'show', 'search', 'new', 'edit', 'delete', 'bulkDelete']);

/**
 * Whether a role may run an action on a resource; reading actions need read access, the rest write
 * access. Nothing is deleted in bulk.
 */
export function mayRun(resource: string, action: string, role: StaffRole): boolean {
  if (!standardActions.has(action)) return actionRoles[`${resource}.${action}`]?.includes(role) ?? false;
  if (action === 'bulkDelete') return false;
  return ['list', 'show', 'search'].includes(action) ? canRead(resource, role) : canWrite(resource, role);
}

/** Resources a partner user sees only for its own partner, and the column that says whose a record is. */
export const partnerScope: Record<string, string> = {
  Partner: 'id',
  PointOfSale: 'partnerId',
  ApiKey: 'partnerId',
  Invoice: 'partnerId',
  MemberEvent: 'partnerId',
  WebhookEndpoint: 'partnerId',
  Campaign: 'ownerPartnerId',
  FundingSource: 'ownerPartnerId',
  SettlementStatement: 'partnerId',
  CreditProgram: 'ownerPartnerId',
  Payment: 'partnerId',
  Challenge: 'partnerId',
  Badge: 'partnerId',
  Leaderboard: 'partnerId',
  InstantWinCampaign: 'partnerId',
};

/**
 * Records of a partner-scoped resource that a partner user reads besides its own, and never
 * changes: SQL over the table's columns, the partner's id in the given parameter.
 */
export const partnerAlsoReads: Record<string, (partnerParameter: string) => string> = {
  InstantWinCampaign: concernsPartnerSql,
};

/**
 * What a partner user does not read in a record it only reads (see partnerAlsoReads): blanked in
 * every answer, and filtering on it keeps to its own records, so no route tells it the value.
 */
const partnerReadersDoNotSee: Record<string, string[]> = {
  // Which other partner pays for a program campaign is that partner's business.
  InstantWinCampaign: ['fundingPartnerId'],
};

/**
 * Which records of a resource a staff member may see or change: all of them, none, or one
 * partner's (which it may also read `alsoReads`, see partnerAlsoReads).
 */
export type DataScope =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'partner'; column: string; partnerId: string; alsoReads?: (partnerParameter: string) => string; hidden?: string[] };

/**
 * The scope of a signed-in staff member on a resource. An account that is not usable (an unknown
 * role, a partner user without a partner, staff with a partner) sees nothing at all; a partner
 * user sees its own partner's records of partner-scoped resources, and the rest it may read.
 */
export function dataScope(resource: string, user: StaffSession | null | undefined): DataScope {
  if (!user || Object.keys(checkStaffAccount(user)).length > 0 || !canRead(resource, user.role)) return { kind: 'none' };
  const column = partnerScope[resource];
  if (user.role === 'partner_user' && column) {
    const alsoReads = partnerAlsoReads[resource];
    const hidden = partnerReadersDoNotSee[resource];
    return { kind: 'partner', column, partnerId: user.partnerId!, ...(alsoReads ? { alsoReads } : {}), ...(hidden ? { hidden } : {}) };
  }
  return { kind: 'all' };
}

export function canRead(resource: string, role: StaffRole): boolean {
  return resourceAccess[resource]?.[role] !== undefined;
}

export function canWrite(resource: string, role: StaffRole): boolean {
  return resourceAccess[resource]?.[role] === 'write';
}
