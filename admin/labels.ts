/**
 * What the back office's fields are called, in words (AdminJS would spell out the column's name:
 * "Price Cents", "Debit Account Id"). Names shared by many resources, then each resource's own.
 */
export const propertyLabels: Record<string, string> = {
  partnerId: 'Partner',
  memberId: 'Member',
  rewardId: 'Reward',
  staffUserId: 'Staff member',
  pointOfSaleId: 'Point of sale',
  packageId: 'Package',
  companyId: 'Company',
  transferId: 'Transfer',
  earnTransferId: 'Transfer',
  endpointId: 'Endpoint',
  recordId: 'Record',
  createdAt: 'Created',
  occurredAt: 'Happened',
  recordedAt: 'Recorded',
  amountCents: 'Amount',
  refundedCents: 'Refunded',
  priceCents: 'Price',
  customerId: "Store's id for the member",
  contactEmail: 'Contact email',
  bonusPoints: 'Bonus points',
  imageUrl: 'Picture',
  lastUsedAt: 'Last used',
  revokedAt: 'Revoked',
  fundingSourceId: 'Paid by (funding source)',
};

export const resourceLabels: Record<string, { properties: Record<string, string> }> = {
  Partner: {
    properties: {
      lowBalanceThreshold: 'Low balance alert (points)',
      pointOfSaleName: 'Point of sale name',
      pointOfSaleCode: 'Point of sale code',
      pointOfSaleChannel: 'Point of sale channel',
      inviteName: "User's name",
      inviteEmail: "User's email",
    },
  },
  PointPackage: { properties: { price: 'Price', active: 'On sale' } },
  CreditProgram: {
    properties: {
      ownerPartnerId: 'Closed program of',
      partnerIds: 'Stores of the partners',
      cashbackPercent: 'Cashback (% of the purchase)',
      cashbackFixedMinor: 'Cashback per purchase (cents)',
    },
  },
  ExchangeRate: { properties: { fromCurrency: 'From', toCurrency: 'To', rate: 'Rate', validFrom: 'Valid from' } },
  Invoice: { properties: { purchaseKey: 'Order reference', vatRatePercent: 'VAT rate (%)' } },
  Reward: { properties: { pointsPrice: 'Price (points)', needsFulfilment: 'Shipped to the member', available: 'In the catalog' } },
  ProgramSettings: {
    properties: {
      expiry: 'Expiry',
      invoiceIssuer: 'Invoice issuer',
      vatRatePercent: 'VAT rate (%)',
      currency: 'Currency',
      pointValueMinor: 'Value of a point (cents)',
      pendingDays: 'Pending points: return window (days)',
      'expiryPolicy.mode': 'Points expire',
      'expiryPolicy.months': 'Months',
      'expiryPolicy.month': 'Month',
      'expiryPolicy.day': 'Day',
      'expiryPolicy.yearsAfter': 'Years after',
      'expiryPolicy.minimumMonths': 'Minimum months',
      tierWindowDays: 'Tier window (days)',
      transferMaxPoints: 'Most points per transfer',
      transferMaxPointsPerDay: 'Most points given per day',
      careApprovalThreshold: 'Care approval above (points)',
      eventBackdateDays: 'Events accepted up to (days old)',
      refundShortfall: 'A refund of points already spent',
      erasureForfeiture: "An erased member's points go",
      birthdayGreetings: 'Birthday greetings',
      birthdayBonusPoints: 'Birthday bonus (points)',
      birthdayDaysBefore: 'Days before the birthday',
      birthdayDaysAfter: 'Days after the birthday',
      birthdayChannel: 'Birthday message by',
      partnerCampaignMaxMultiplier: 'Partner campaigns: highest multiplier',
      partnerCampaignMaxPointsPerUnit: 'Partner campaigns: most points per unit of currency',
      partnerCampaignMaxPoints: 'Partner campaigns: most fixed points at once',
      partnerCampaignsNeedApproval: 'Partner campaigns wait for approval',
      paymentMinPoints: 'Checkout: fewest points a payment uses',
      paymentMaxSharePercent: 'Checkout: largest share paid in points (%)',
      paymentExcludedCategories: 'Checkout: categories points never pay for',
      clearingValueMinor: 'Clearing value of a redeemed point (cents)',
      breakageOperatorSharePercent: "Operator's share of breakage (%)",
    },
  },
  Campaign: {
    properties: {
      forWhom: 'For whom',
      when: 'When it gives',
      gives: 'What it gives',
      where: 'Where',
      limits: 'Caps',
      holdout: 'Holdout',
      pendingWindow: 'Points spendable',
      createdBy: 'Set up by',
      approvalRequestedBy: 'Approval asked by',
    },
  },
  MemberEvent: { properties: { type: 'What happened', basket: 'Basket', why: 'Why these points' } },
  Redemption: { properties: { shipTo: 'Ship to', code: 'Code given' } },
  LedgerTransfer: {
    properties: {
      seq: 'No.',
      debitAccountId: 'From',
      creditAccountId: 'To',
      why: 'Why',
      causes: 'References',
      requestedBy: 'Requested by',
      pendingTransferId: 'Settles the hold',
      reversesTransferId: 'Reverses',
      heldUntil: 'Held until',
    },
  },
  StaffUser: { properties: { signIn: 'Sign-in' } },
  AuditEntry: { properties: { at: 'When', staffEmail: 'Staff email', resource: 'Where', changes: 'What changed' } },
  WebhookDelivery: { properties: { sent: 'Sent', lastStatusCode: 'Last HTTP status', lastError: 'Last error', deliveredAt: 'Delivered' } },
  FulfilmentOrder: { properties: { supplierOrderId: "Supplier's order number" } },
  CompanyFunding: { properties: { fundedAt: 'Funded', fundedBy: 'Funded by' } },
  SettlementStatement: {
    properties: {
      period: 'Month (YYYY-MM)',
      month: 'Month',
      partnerId: 'Party',
      status: 'Status',
      emailedAt: 'Emailed',
      emailedTo: 'Emailed to',
      netMinor: 'Net (+ receives, − pays)',
      issuedPoints: 'Points issued',
      issuedValueMinor: 'Value of the points issued',
      redeemedAtPoints: 'Points honoured here',
      redeemedAtValueMinor: 'Owed by their funders',
      redeemedElsewherePoints: 'Own points honoured elsewhere',
      redeemedElsewhereValueMinor: 'Owed for them',
      breakagePoints: 'Own points expired',
      breakageValueMinor: 'Value of the points expired',
      breakageOperatorShareMinor: "Operator's share of breakage",
      clearingValueMinor: 'Clearing value of a point (cents)',
      breakageOperatorSharePercent: "Operator's share of breakage (%)",
      statementLines: 'Lines',
    },
  },
};

type ResourceTranslations = Record<string, { properties?: Record<string, string>; actions?: Record<string, string> }>;

/** The resources' translations with these labels added (the translations given win). */
export function withLabels(translations: ResourceTranslations): ResourceTranslations {
  const merged: ResourceTranslations = { ...translations };
  for (const [resource, { properties }] of Object.entries(resourceLabels)) {
    merged[resource] = { ...merged[resource], properties: { ...properties, ...merged[resource]?.properties } };
  }
  return merged;
}
