import express, { type Response, type Router } from 'express';
import type { DataSource } from 'typeorm';
import { currentMember } from '../loyalty/member-identity.js';
import { addressOn, messageKindLabels, turnOffMessages } from '../loyalty/member-preferences.js';
import { maskedAddress } from '../loyalty/spending-authorization.js';
import { readUnsubscribeToken, unsubscribeKey, type UnsubscribeClaims } from '../loyalty/unsubscribe-tokens.js';

export interface UnsubscribeDependencies {
  dataSource: DataSource;
  /** Where a fault behind an error page is reported. */
  logFault: (error: unknown, path: string) => void;
}

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const channelWords = { email: 'email', sms: 'text message' } as const;

/** A small page of its own: readable on a phone, nothing loaded from elsewhere, never cached nor referred (the link is the key). */
function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Robots-Tag': 'noindex',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    })
    .type('html')
    .send(
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · Tessera</title>
<style>
  body { font: 1.0625rem/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; padding: 2rem 1rem; }
  main { max-width: 32rem; margin: 0 auto; }
  h1 { font-size: 1.5rem; }
  button { font: inherit; padding: 0.625rem 1.25rem; border: 0; border-radius: 0.375rem; background: #1d4ed8; color: #fff; cursor: pointer; }
  button:focus-visible, a:focus-visible { outline: 3px solid #1a1a1a; outline-offset: 2px; }
  a { color: #1d4ed8; }
</style>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
</body>
</html>
`,
    );
}

const dashboardLine = '<p>You can choose which messages you get at any time on <a href="/member">your dashboard</a>.</p>';

function invalidLink(res: Response): void {
  page(
    res,
    400,
    'This unsubscribe link is not valid',
    '<p>It may have been cut or changed when it was copied. Open the link from the message again.</p>' + dashboardLine,
  );
}

/** What a link stops, in words: "birthday messages by text message to +33•••78". */
function whatStops(claims: UnsubscribeClaims, address: string | null): string {
  return `${escape(messageKindLabels[claims.kind])} by ${channelWords[claims.channel]}${address ? ` to <strong>${escape(maskedAddress(address))}</strong>` : ''}`;
}

/**
 * The unsubscribe link of every member message, without signing in: `GET /unsubscribe?t=…` asks
 * (a link scanner opening it changes nothing), `POST` stops that kind of message on that channel
 * and answers 200 — the button of that page, or a mail client's RFC 8058 one-click
 * (`List-Unsubscribe=One-Click`). A token that is not one Tessera signed is a 400, and nothing changes.
 */
export function unsubscribeRouter({ dataSource, logFault }: UnsubscribeDependencies): Router {
  const router = express.Router();
  // The installation's key never changes once made.
  let key: string | undefined;

  /** The member and what the link stops, or null for a link Tessera did not make (or a member no longer there). */
  async function claimsOf(token: unknown) {
    if (typeof token !== 'string') return null;
    key ??= await unsubscribeKey(dataSource.manager);
    const claims = readUnsubscribeToken(key, token);
    const member = claims && (await currentMember(dataSource.manager, claims.memberId));
    return claims && member ? { claims, member, token } : null;
  }

  const answer =
    (handle: (found: NonNullable<Awaited<ReturnType<typeof claimsOf>>>, res: Response) => Promise<void>) =>
    async (req: express.Request, res: Response) => {
      try {
        const found = await claimsOf(req.query.t);
        if (!found) return invalidLink(res);
        await handle(found, res);
      } catch (error) {
        logFault(error, req.path);
        page(res, 500, 'Something went wrong', '<p>Nothing was changed. Please try the link again in a few minutes.</p>');
      }
    };

  router
    .route('/unsubscribe')
    .get(
      answer(async ({ claims, member, token }, res) => {
        page(
          res,
          200,
          'Unsubscribe',
          `<p>Stop ${whatStops(claims, addressOn(member, claims.channel))}?</p>
<form method="post" action="/unsubscribe?t=${escape(token)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
${dashboardLine}`,
        );
      }),
    )
    .post(
      answer(async ({ claims, member }, res) => {
        const updated = await turnOffMessages(dataSource.manager, member.id, claims.kind, claims.channel);
        page(
          res,
          200,
          'You are unsubscribed',
          `<p>You will no longer get ${escape(messageKindLabels[claims.kind])} by ${channelWords[claims.channel]}${
            addressOn(updated, claims.channel) ? ` at <strong>${escape(maskedAddress(addressOn(updated, claims.channel)!))}</strong>` : ''
          }.</p>${dashboardLine}`,
        );
      }),
    )
    .all((_req, res) => {
      res.set('Allow', 'GET, POST');
      page(res, 405, 'Not here', '<p>Open the link from the message.</p>');
    });

  return router;
}
