/** A challenge form as the back office posts it, valid in every field: tests spoil one field at a time. */
export const validChallengeForm = {
  name: 'Three coffees a week',
  metric: 'purchase_count',
  target: '3',
  period: 'weekly',
  timeZone: 'Europe/Amsterdam',
  startsAt: '2026-01-01T00:00:00.000Z',
  rewardPoints: '30',
  status: 'live',
};
