import { describe, expect, it } from 'vitest';
import { checkWebhookEndpoint } from './webhook-endpoints.js';

const production = { localAddresses: false };
const development = { localAddresses: true };
const urlError = (url: string, policy = production) => checkWebhookEndpoint({ url, events: ['points.earned'] }, policy).url;

describe('the address of a webhook endpoint', () => {
  it('accepts a public https address', () => {
    expect(checkWebhookEndpoint({ url: 'https://hooks.bookbarn.example/tessera', events: ['points.earned'] }, production)).toEqual({});
    expect(urlError('https://203.0.113.7:8443/hooks')).toBeUndefined();
  });

  it('refuses other schemes, and plain http outside development', () => {
    expect(urlError('ftp://files.example.com/x')).toBe('must start with https:// (deliveries carry members’ data)');
    expect(urlError('javascript:alert(1)')).toMatch(/^must start with https:\/\//);
    expect(urlError('http://hooks.example.com/x')).toMatch(/^must start with https:\/\//);
    expect(urlError('notaurl')).toBe('must be a full web address, like https://shop.example.com/tessera-webhooks');
    expect(urlError('  ')).toBe('is required');
  });

  it("refuses the operator's own machine and network outside development, however the address is spelled", () => {
    for (const url of [
      'https://127.0.0.1:54320/x',
      'https://127.1/x',
      'https://2130706433/x',
      'https://0x7f.0.0.1/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://10.1.2.3/x',
      'https://172.20.0.5/x',
      'https://192.168.1.10/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd12::1]/x',
      'https://[fe80::1]/x',
      'https://0.0.0.0/x',
      'https://localhost/x',
      'https://localhost./x',
      'https://api.localhost/x',
      'https://postgres:5432/x',
      'https://temporal/x',
      'https://printer.local/x',
      'https://metadata.google.internal/x',
    ]) {
      expect(urlError(url), url).toMatch(/^must be a public address: .+ is on the operator's own machine or network$/);
    }
  });

  it('lets a development machine deliver to a local receiver, over http too', () => {
    expect(urlError('http://127.0.0.1:54320/x', development)).toBeUndefined();
    expect(urlError('http://localhost:4000/hooks', development)).toBeUndefined();
    expect(urlError('ftp://localhost/x', development)).toBe('must start with https:// or http://');
  });
});

describe('the events of a webhook endpoint', () => {
  const eventsError = (events: unknown) => checkWebhookEndpoint({ url: 'https://hooks.example.com/x', events }, production).events;

  it('are events Tessera sends, at least one, each once', () => {
    expect(eventsError(['points.earned', 'member.tier_changed'])).toBeUndefined();
    expect(eventsError(['points.earnd'])).toBe(
      'points.earnd is not an event Tessera sends: choose among points.earned, points.expired, member.tier_changed, redemption.completed, challenge.completed, badge.awarded, badge.revoked, instant_win.won',
    );
    expect(eventsError([])).toBe('choose at least one event');
    expect(eventsError(undefined)).toBe('choose at least one event');
    expect(eventsError(['points.earned', 'points.earned'])).toBe('choose each event once');
  });
});
