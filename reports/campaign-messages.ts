import type { Member, MessageCampaign } from '../entities/index.js';
import { campaignLinks, openPixel, trackingToken } from '../loyalty/messaging/tracking-tokens.js';
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
  const tracked = (link: number) => trackingToken(key, { campaignId: campaign.id, memberId: member.id, link });
  const links = campaignLinks(campaign.body);
  let text = campaign.body;
  links.forEach((link, index) => {
    text = text.split(link).join(`${base}/m/c/${tracked(index + 1)}`);
  });
  // Escaped first, then each link (escaped the same way) becomes an anchor to its tracked address.
  let html = escapeHtml(campaign.body);
  links.forEach((link, index) => {
    html = html.split(escapeHtml(link)).join(`<a href="${base}/m/c/${tracked(index + 1)}">${escapeHtml(link)}</a>`);
  });
  const pixel = `<img src="${base}/m/o/${tracked(openPixel)}" width="1" height="1" alt="">`;
  return {
    channel: 'email',
    subject: campaign.subject,
    text,
    html: `<p>${html.replace(/\n/g, '<br>')}</p>${pixel}`,
  };
}
