import { expect, it } from 'vitest';
import { describeMessageCampaignResults } from './message-campaign-results.js';

const counts = {
  audience: 6,
  holdout: 2,
  sent: 4,
  failed: 0,
  notSent: 0,
  waiting: 0,
  opened: 2,
  clicked: 1,
  cameBack: 3,
  holdoutCameBack: 1,
};

it('says each share with the members behind it, and the difference with the holdout in points', () => {
  const { lines, summary } = describeMessageCampaignResults(counts, { channel: 'email', returnWindowDays: 7 });
  const line = (figure: string) => lines.find((l) => l.figure.startsWith(figure));
  expect(line('Sent')).toEqual({ figure: 'Sent', share: '100.0 %', members: '4 of 4' });
  expect(line('Opened')).toMatchObject({ share: '50.0 %', members: '2 of 4' });
  expect(line('Clicked')).toMatchObject({ share: '25.0 %', members: '1 of 4' });
  expect(line('Came back within 7 days (sent')).toMatchObject({ share: '75.0 %', members: '3 of 4' });
  expect(line('Came back within 7 days (holdout')).toMatchObject({ share: '50.0 %', members: '1 of 2' });
  expect(line('Difference')).toMatchObject({ share: '+25.0 points' });
  expect(summary).toBe(
    'Of the 4 members sent the message, 75.0 % came back within 7 days, against 50.0 % of the 2 kept out: +25.0 points.',
  );
});

it('shows no share where there is nothing to divide by, and no opens for text messages', () => {
  const none = { ...counts, audience: 0, holdout: 0, sent: 0, opened: 0, clicked: 0, cameBack: 0, holdoutCameBack: 0 };
  const { lines, summary } = describeMessageCampaignResults(none, { channel: 'sms', returnWindowDays: 1 });
  expect(lines.find((l) => l.figure === 'Opened')).toMatchObject({ share: 'not tracked for text messages' });
  expect(lines.find((l) => l.figure === 'Difference')).toMatchObject({ share: '—' });
  expect(lines.find((l) => l.figure.startsWith('Came back within 1 day ('))).toMatchObject({ share: '—', members: '0 of 0' });
  expect(summary).toMatch(/^Nobody has been drawn yet/);
});
