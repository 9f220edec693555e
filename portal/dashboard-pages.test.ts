import { expect, it } from 'vitest';
import type { MemberChallenge } from '../loyalty/engagement/member-challenges.js';
import type { MemberDashboard } from '../loyalty/member-dashboard.js';
import { dashboardPage } from './dashboard-pages.js';

const dashboard: MemberDashboard = {
  displayName: 'Kei',
  reference: 'kei',
  email: null,
  phone: null,
  balance: { available: 0, held: 0, pending: 0 },
  tier: { current: null, next: null, qualifying: 0, windowDays: 365 } as unknown as MemberDashboard['tier'],
  expiring: { days30: 0, days60: 0, days90: 0 },
  upcoming: [],
  pending: [],
  credit: [],
};

const spend: MemberChallenge = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'Spend this month',
  description: '',
  owner: 'program',
  metric: 'spend',
  category: null,
  target: 5_000,
  period: 'monthly',
  periodKey: '2026-11',
  // December starts at midnight in New York, 05:00 UTC: the last day there is November 30, though December 1 in UTC.
  periodEndsAt: new Date('2026-12-01T05:00:00Z'),
  progress: 2_000,
  completed: false,
  completedAt: null,
  rewardPoints: 300,
  currency: 'JPY',
  timeZone: 'America/New_York',
};

it("shows a challenge's spend in its currency's minor units and its last day in the challenge's time zone", () => {
  const page = dashboardPage(dashboard, [], [spend]);
  expect(page).toContain('¥2,000 of ¥5,000 spent this month');
  expect(page).toContain('¥3,000 spent to go for 300 points');
  expect(page).toContain('last day 2026-11-30');
  expect(page).not.toContain('20.00');
});

it('shows when a challenge of a few hours ends, to the minute, on its clock', () => {
  const happyHours: MemberChallenge = {
    ...spend,
    name: 'Happy hours',
    metric: 'purchase_count',
    target: 1,
    progress: 0,
    period: 'once',
    periodKey: 'once',
    periodEndsAt: new Date('2026-12-01T12:30:00Z'),
    timeZone: 'Asia/Kolkata',
  };
  expect(dashboardPage(dashboard, [], [happyHours])).toContain('ends 2026-12-01 18:00');
});
