import { expect, it } from 'vitest';
import type { Member, MessageCampaign } from '../entities/index.js';
import { campaignLinks, readTrackingToken } from '../loyalty/messaging/tracking-tokens.js';
import { campaignMessage } from './campaign-messages.js';

const key = 'a-tracking-key';
const campaign = {
  id: '6f1c2a0e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  channel: 'email',
  subject: 'Deals this week',
  body: 'Visit https://shop.example for news, and our deals at https://shop.example/deals.\nTerms & more: https://shop.example/terms?a=1&b=2',
} as MessageCampaign;
const member = { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' } as Member;

/** Where a tracked address leads: the campaign's link it was made for, as a click is redirected. */
function destination(address: string): string {
  const claims = readTrackingToken(key, address.replace('https://loyalty.example.test/m/c/', ''));
  return campaignLinks(campaign.body)[claims!.link - 1]!;
}

it('tracks each link of an email to where it leads, when one link begins another', () => {
  const mail = campaignMessage(campaign, member, key, 'https://loyalty.example.test/');
  if (mail.channel !== 'email') throw new Error('an email was expected');
  const tracked = /https:\/\/loyalty\.example\.test\/m\/c\/[A-Za-z0-9_-]+/g;

  // Text: each link replaced whole by its own tracked address, the sentence's full stop kept.
  const textLinks = mail.text.match(tracked)!;
  expect(textLinks.map(destination)).toEqual(['https://shop.example', 'https://shop.example/deals', 'https://shop.example/terms?a=1&b=2']);
  expect(mail.text.replace(tracked, 'LINK')).toBe('Visit LINK for news, and our deals at LINK.\nTerms & more: LINK');

  // HTML: each anchor leads where its words say, and nothing of a link is left outside its anchor.
  const anchors = [...(mail.html ?? '').matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map(([, href, words]) => [destination(href!), words]);
  expect(anchors).toEqual([
    ['https://shop.example', 'https://shop.example'],
    ['https://shop.example/deals', 'https://shop.example/deals'],
    ['https://shop.example/terms?a=1&b=2', 'https://shop.example/terms?a=1&amp;b=2'],
  ]);
  expect((mail.html ?? '').replace(/<a href="[^"]+">[^<]+<\/a>/g, 'LINK').replace(/<img[^>]+>/, '')).toBe(
    '<p>Visit LINK for news, and our deals at LINK.<br>Terms &amp; more: LINK</p>',
  );
});
