import { expect, it } from 'vitest';
import { checkProgramSettings, describeExpiryPolicy } from './program-settings-form.js';

const valid = {
  'expiryPolicy.mode': 'fixed_date',
  'expiryPolicy.month': '12',
  'expiryPolicy.day': '31',
  'expiryPolicy.yearsAfter': '0',
  tierWindowDays: '365',
  transferMaxPoints: '10000',
  transferMaxPointsPerDay: '25000',
  careApprovalThreshold: '500',
  eventBackdateDays: '30',
  refundShortfall: 'debt',
  erasureForfeiture: 'breakage',
  birthdayGreetings: 'false',
  birthdayBonusPoints: '0',
  birthdayDaysBefore: '0',
  birthdayDaysAfter: '0',
  birthdayChannel: 'email',
  invoiceIssuer: 'Tessera Coalition B.V.',
  vatRatePercent: '21',
  partnerCampaignMaxMultiplier: '3',
  partnerCampaignMaxPointsPerUnit: '10',
  partnerCampaignMaxPoints: '1000',
  partnerCampaignsNeedApproval: 'true',
  currency: 'EUR',
  referralMinimum: '10.00',
  pointValueMinor: '1',
  pendingDays: '14',
  paymentMinPoints: '1',
  paymentMaxSharePercent: '100',
  paymentExcludedCategories: '',
  clearingValueMinor: '',
  breakageOperatorSharePercent: '0',
};

it('accepts settings in their ranges', () => {
  expect(checkProgramSettings(valid)).toEqual({});
  expect(checkProgramSettings({ ...valid, 'expiryPolicy.mode': 'never' })).toEqual({});
});

it('refuses a fixed date that is not one, each month with its days', () => {
  expect(checkProgramSettings({ ...valid, 'expiryPolicy.month': '13' })).toEqual({
    'expiryPolicy.month': 'must be a whole number from 1 to 12',
  });
  expect(checkProgramSettings({ ...valid, 'expiryPolicy.month': '4', 'expiryPolicy.day': '31' })).toEqual({
    'expiryPolicy.day': 'April has at most 30 days',
  });
  // 29 February would expire on 1 March three years in four.
  expect(checkProgramSettings({ ...valid, 'expiryPolicy.month': '2', 'expiryPolicy.day': '29' })).toEqual({
    'expiryPolicy.day': 'February has at most 28 days',
  });
});

it('keeps a day of transfers at least one transfer, and the policies among their choices', () => {
  expect(checkProgramSettings({ ...valid, transferMaxPointsPerDay: '100' })).toEqual({
    transferMaxPointsPerDay: 'must be at least the most one transfer may move',
  });
  expect(Object.keys(checkProgramSettings({ ...valid, refundShortfall: 'maybe', erasureForfeiture: '' }))).toEqual([
    'refundShortfall',
    'erasureForfeiture',
  ]);
});

it('says the expiry policy in a sentence', () => {
  expect(describeExpiryPolicy({ mode: 'period', months: 12 })).toBe('Points expire 12 months after they are earned');
  expect(describeExpiryPolicy({ mode: 'fixed_date', month: 12, day: 31, yearsAfter: 0 })).toBe(
    'Points expire on the first 31 December after they are earned',
  );
  expect(describeExpiryPolicy({ mode: 'never' })).toBe('Points never expire');
});

it('takes a VAT rate as a percent from 0 to 100 with at most two decimals, and an invoice issuer', () => {
  for (const rate of ['0', '5.5', '21', '100', 0, 21]) expect(checkProgramSettings({ ...valid, vatRatePercent: rate })).toEqual({});
  for (const rate of ['-1', '101', '21%', '5.555', 'twenty', ''])
    expect(Object.keys(checkProgramSettings({ ...valid, vatRatePercent: rate }))).toEqual(['vatRatePercent']);
  expect(checkProgramSettings({ ...valid, invoiceIssuer: '  ' })).toEqual({ invoiceIssuer: 'is required' });
});

it('refuses a currency that is none and a point worth nothing', () => {
  expect(checkProgramSettings({ ...valid, currency: 'usd', pointValueMinor: '0.5' })).toEqual({});
  expect(checkProgramSettings({ ...valid, currency: 'EURO' })).toEqual({ currency: 'must be a currency code, like EUR or USD' });
  for (const value of ['0', '-1', 'abc', '1.23456', ''])
    expect(Object.keys(checkProgramSettings({ ...valid, pointValueMinor: value }))).toEqual(['pointValueMinor']);
});

it('takes a return window of 0 (off) to 90 days for pending points, in whole days', () => {
  expect(checkProgramSettings({ ...valid, pendingDays: '0' })).toEqual({});
  expect(checkProgramSettings({ ...valid, pendingDays: '90' })).toEqual({});
  for (const wrong of ['91', '-1', '2.5', 'two weeks']) {
    expect(checkProgramSettings({ ...valid, pendingDays: wrong })).toEqual({ pendingDays: 'must be a whole number from 0 to 90' });
  }
  expect(checkProgramSettings({ ...valid, pendingDays: '' })).toEqual({ pendingDays: 'is required' });
});

it('checks the rules of paying with points: the least points, the largest share, the excluded categories', () => {
  expect(
    checkProgramSettings({
      ...valid,
      paymentMinPoints: '100',
      paymentMaxSharePercent: '50.5',
      paymentExcludedCategories: 'Gift cards, tobacco',
    }),
  ).toEqual({});
  expect(checkProgramSettings({ ...valid, paymentMinPoints: '0' })).toEqual({
    paymentMinPoints: 'must be a whole number above 0',
  });
  for (const share of ['0', '100.01', '-5', 'half']) {
    expect(Object.keys(checkProgramSettings({ ...valid, paymentMaxSharePercent: share }))).toEqual(['paymentMaxSharePercent']);
  }
  expect(checkProgramSettings({ ...valid, paymentExcludedCategories: `books, ${'x'.repeat(101)}` })).toEqual({
    paymentExcludedCategories: 'each category is at most 100 characters, separated by commas',
  });
});

it('clears a redeemed point at its value unless told otherwise, and keeps a share of breakage from 0 to 100%', () => {
  expect(checkProgramSettings({ ...valid, clearingValueMinor: '0.8', breakageOperatorSharePercent: '25.5' })).toEqual({});
  for (const value of ['0', '-1', 'abc', '1.23456'])
    expect(checkProgramSettings({ ...valid, clearingValueMinor: value })).toEqual({
      clearingValueMinor: 'must be an amount of cents above 0, with at most four decimals (like 1 or 0.5); empty for the value of a point',
    });
  for (const value of ['', '-5', '100.5', '12.345', 'half'])
    expect(Object.keys(checkProgramSettings({ ...valid, breakageOperatorSharePercent: value }))).toEqual(['breakageOperatorSharePercent']);
});
