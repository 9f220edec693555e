import { expect, it } from 'vitest';
import { careAdjustmentMessage } from './occasion-messages.js';

const publicUrl = 'https://loyalty.example.test/';

it("tells a member of points care took back, with care's reason and how to contest it", () => {
  const mail = careAdjustmentMessage(
    { displayName: 'Ada Martin' },
    { points: -1_250, reason: 'Points given twice for one receipt' },
    'email',
    publicUrl,
  );
  expect(mail).toMatchObject({ channel: 'email', subject: '1,250 points taken from your Tessera balance' });
  const text = mail.channel === 'email' ? mail.text : '';
  expect(text).toContain('Hello Ada Martin,');
  expect(text).toContain('Our customer care took 1,250 points back from your balance.\nWhy: Points given twice for one receipt');
  expect(text).toContain('https://loyalty.example.test/member\n');
  expect(text).toContain('If you think this is a mistake, contact customer care.');
});

it('says it in one text message by SMS', () => {
  expect(careAdjustmentMessage({ displayName: null }, { points: 40, reason: 'Missing from a receipt.' }, 'sms', publicUrl)).toEqual({
    channel: 'sms',
    text: 'Tessera customer care added 40 points to your balance. Why: Missing from a receipt. Your balance: https://loyalty.example.test/member',
  });
});
