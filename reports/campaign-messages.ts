import type { Member, MessageCampaign } from '../entities/index.js';
import { campaignLinks, linkOf, linkPattern, openPixel, trackingToken } from '../loyalty/messaging/tracking-tokens.js';
import type { MemberMessageContent } from './member-messenger.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A campaign's message for one member. By email, each of its links goes through Tessera's
 * tracked address for that member and link, and an image of one pixel tells when it was opened;
 * a text message carries its links as written.
 */
export function campaignMessage(campaign: MessageCampaign, member: Member, key: string, publicUrl: string): MemberMessageContent {
  if (campaign.channel === 'sms') return { channel: 'sms', text: campaign.body };
  const base = publicUrl.replace(/\/+$/, '');
  const token = (link: number) => trackingToken(key, { campaignId: campaign.id, memberId: member.id, link });
  const tracked = (link: number) => `${base}/m/c/${token(link)}`;
  const links = campaignLinks(campaign.body);
  // One pass over the body, each link found where it stands: a link that begins another (a site and
  // one of its pages) never rewrites part of the longer one.
  const rewritten = (asText: (text: string) => string, asLink: (link: string, address: string) => string) => {
    let written = '';
    let from = 0;
    for (const match of campaign.body.matchAll(linkPattern)) {
      const link = linkOf(match[0]);
      const number = links.indexOf(link) + 1;
      written += asText(campaign.body.slice(from, match.index)) + (number > 0 ? asLink(link, tracked(number)) : asText(link));
      from = match.index + link.length;
    }
    return written + asText(campaign.body.slice(from));
  };
  const text = rewritten(
    (part) => part,
    (_link, address) => address,
  );
  // The body is escaped, and each link (escaped the same way) becomes an anchor to its tracked address.
  const html = rewritten(escapeHtml, (link, address) => `<a href="${address}">${escapeHtml(link)}</a>`);
  const pixel = `<img src="${base}/m/o/${token(openPixel)}" width="1" height="1" alt="">`;
  return {
    channel: 'email',
    subject: campaign.subject,
    text,
    html: `<p>${html.replace(/\n/g, '<br>')}</p>${pixel}`,
  };
}
