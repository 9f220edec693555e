import { BlockList, isIP } from 'node:net';
import { webhookEvents, type WebhookEvent } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';

/** How each event a partner can listen to reads to the staff who set its endpoint up. */
export const webhookEventLabels: Record<WebhookEvent, string> = {
  'points.earned': 'Points earned (points.earned)',
  'points.expired': 'Points expired (points.expired)',
  'member.tier_changed': 'Member changed tier (member.tier_changed)',
  'redemption.completed': 'Reward redeemed (redemption.completed)',
  'challenge.completed': 'Challenge completed (challenge.completed)',
  'badge.awarded': 'Badge awarded (badge.awarded)',
  'badge.revoked': 'Badge taken back (badge.revoked)',
  'instant_win.won': 'Instant win (instant_win.won)',
};

/**
 * Where deliveries may go. In production only public https addresses: a delivery carries members'
 * data, and an address on the operator's own machine or network would let whoever sets an endpoint
 * up make the worker call internal services. On a development machine (`npm start`) anything
 * http(s) goes, so that a local receiver can be tried.
 */
export interface WebhookUrlPolicy {
  localAddresses: boolean;
}

const privateNetworks = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where clouds answer metadata requests
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast, reserved, broadcast
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127], // unspecified, loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  privateNetworks.addSubnet(network, prefix, 'ipv6');
}

/** Names that only mean something inside a machine or a private network (a compose service, `localhost`). */
const localName = /(^|\.)(localhost|local|internal|lan|intranet|home\.arpa)$/i;

function localHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const version = isIP(host);
  if (version !== 0) return privateNetworks.check(host, version === 4 ? 'ipv4' : 'ipv6');
  return !host.includes('.') || localName.test(host);
}

function checkUrl(value: unknown, policy: WebhookUrlPolicy): string | undefined {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return 'is required';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a full web address, like https://shop.example.com/tessera-webhooks';
  }
  if (text.length > 2_000) return 'must be at most 2000 characters';
  if (url.protocol !== 'https:' && !(policy.localAddresses && url.protocol === 'http:')) {
    return policy.localAddresses ? 'must start with https:// or http://' : 'must start with https:// (deliveries carry members’ data)';
  }
  if (!policy.localAddresses && localHost(url.hostname)) {
    return `must be a public address: ${url.hostname} is on the operator's own machine or network`;
  }
  return undefined;
}

function checkEvents(value: unknown): string | undefined {
  const events = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
  if (events.length === 0) return 'choose at least one event';
  const unknown = events.filter((event) => !webhookEvents.includes(event as WebhookEvent));
  if (unknown.length > 0) {
    return `${unknown.map(String).join(', ')} is not an event Tessera sends: choose among ${webhookEvents.join(', ')}`;
  }
  if (new Set(events).size !== events.length) return 'choose each event once';
  return undefined;
}

/** The endpoint form's check: a deliverable address (see WebhookUrlPolicy) and events Tessera sends. */
export function checkWebhookEndpoint(values: { url?: unknown; events?: unknown }, policy: WebhookUrlPolicy): FieldErrors {
  const errors: FieldErrors = {};
  const url = checkUrl(values.url, policy);
  if (url) errors.url = url;
  const events = checkEvents(values.events);
  if (events) errors.events = events;
  return errors;
}
