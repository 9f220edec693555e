import { randomBytes, randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { ProcessStarter } from '../api/idempotent-write.js';
import { answered } from '../api/payment-routes.js';
import { invalidRequest } from '../api/problem.js';
import { Partner } from '../entities/index.js';
import { programSettings } from '../loyalty/earning/program-settings.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { resolveCustomer } from '../loyalty/member-identity.js';
import { queuedBy } from '../loyalty/outbox.js';
import { describePayment } from '../loyalty/payments/payment-view.js';
import { authorizePayment, capturePayment, defaultAuthorizationMinutes, voidPayment } from '../loyalty/payments/payments.js';
import { authorizeSpending } from '../loyalty/spending-authorization.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface DemoStoreDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** Starts the hold's time limit once an authorization committed. */
  processes?: ProcessStarter;
}

const pointsBody = z.object({
  partner: z.string(),
  member: z.string(),
  amountMinor: z.int().min(1),
  points: z.int().min(1),
  authorization: z.string().regex(/^Bearer [A-Za-z0-9_-]{20,200}$/),
});
const paymentBody = z.object({ partner: z.string(), paymentId: z.uuid() });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest('body', result.error);
  return result.data;
}

/**
 * /demo-store: a partner's shop page with the earn widget in it, as a store would paste it, and a
 * checkout that takes points: the member chooses them in the widget, the store's server authorizes
 * the payment and captures it when the order is placed. The store's server works here directly (in
 * a real shop, through the API: POST /api/v1/payments, then /capture).
 */
export function demoStoreRouter({ dataSource, ledger, processes }: DemoStoreDependencies): Router {
  const router = Router();
  const partnerByCode = async (code: string) => {
    const partner = await dataSource.manager.findOneBy(Partner, { code });
    if (!partner) throw Object.assign(new Error(`No partner "${code}"`), { status: 404 });
    return partner;
  };
  /** Runs a store's write; the processes it queued start once it committed. */
  const committed = async <T>(work: Parameters<typeof inTransaction<T>>[1]): Promise<T> => {
    let queued: string[] = [];
    const result = await inTransaction(dataSource, async (manager) => {
      const done = await work(manager);
      queued = queuedBy(manager);
      return done;
    });
    if (queued.length > 0) await processes?.dispatch(queued).catch(() => undefined);
    return result;
  };

  router.get('/demo-store', async (req, res) => {
    const partnerCode = typeof req.query.partner === 'string' ? req.query.partner : 'koffie-corner';
    const externalId = typeof req.query.member === 'string' ? req.query.member : 'demo-001';
    const partner = await dataSource.manager.findOneBy(Partner, { code: partnerCode });
    if (!partner) {
      res.status(404).type('text').send(`No partner "${partnerCode}"`);
      return;
    }
    const { currency } = await programSettings(dataSource.manager);
    const { token } = await mintWidgetToken(dataSource.manager, { partnerId: partner.id, externalId });
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(partner.name)} — demo shop</title>
<style>body{font-family:system-ui;margin:2rem;max-width:40rem} .item{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
#checkout{margin-top:1.5rem;border-top:1px solid #d0d7de;padding-top:1rem} #checkout dl{display:grid;grid-template-columns:max-content max-content;gap:.25rem 1.5rem}
#checkout dd{margin:0;text-align:right;font-variant-numeric:tabular-nums} .due{font-weight:600} #message{min-height:1.4em} .error{color:#a4141b}</style>
<script src="/widget.js" defer></script></head>
<body>
<h1>${escapeHtml(partner.name)}</h1>
<p>Signed in as <strong>${escapeHtml(externalId)}</strong>. A demo shop page with the Tessera earn widget.</p>
<div class="item"><span>Flat white — €4.50</span><button id="add">Add to cart</button><button id="remove">Remove</button></div>
<p>Cart: <span id="count">0</span> item(s), €<span id="total">0.00</span></p>
<tessera-earn id="widget" token="${escapeHtml(token)}" amount-cents="0" currency="${escapeHtml(currency)}"></tessera-earn>
<section id="checkout" aria-labelledby="checkout-title">
  <h2 id="checkout-title">Checkout</h2>
  <dl>
    <dt>Order</dt><dd id="order-total">€0.00</dd>
    <dt>Paid with points</dt><dd id="points-paid">none</dd>
    <dt class="due">To pay by card</dt><dd id="due" class="due">€0.00</dd>
  </dl>
  <p id="message" role="status"></p>
  <button id="remove-points" hidden>Remove the points</button>
  <button id="place-order">Place order</button>
</section>
<script>
  const partner = ${JSON.stringify(partner.code).replaceAll('<', '\\u003c')};
  const member = ${JSON.stringify(externalId).replaceAll('<', '\\u003c')};
  const euros = (cents) => '€' + (cents / 100).toFixed(2);
  let count = 0;
  let payment = null;
  const say = (text, error = false) => {
    const message = document.getElementById('message');
    message.textContent = text;
    message.className = error ? 'error' : '';
  };
  const show = () => {
    const total = count * 450;
    document.getElementById('count').textContent = String(count);
    document.getElementById('total').textContent = (total / 100).toFixed(2);
    document.getElementById('order-total').textContent = euros(total);
    document.getElementById('points-paid').textContent = payment
      ? '−' + euros(payment.valueMinor.authorized) + ' (' + payment.points.authorized.toLocaleString() + ' points)'
      : 'none';
    document.getElementById('due').textContent = euros(total - (payment ? payment.valueMinor.authorized : 0));
    document.getElementById('remove-points').hidden = !payment;
    document.getElementById('add').disabled = document.getElementById('remove').disabled = Boolean(payment);
  };
  const update = () => {
    show();
    document.getElementById('widget').setAttribute('amount-cents', String(count * 450));
  };
  const post = async (path, body) => {
    const answer = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ partner, ...body }) });
    const json = await answer.json();
    if (!answer.ok) throw new Error(json.errors?.[0]?.message ?? json.detail ?? 'Something went wrong');
    return json;
  };
  document.getElementById('add').onclick = () => { count += 1; update(); };
  document.getElementById('remove').onclick = () => { count = Math.max(0, count - 1); update(); };
  document.addEventListener('tessera-use-points', async (event) => {
    if (!event.detail.points) return say('Add something to the cart to pay with points.', true);
    if (payment) return say('Points are already applied to this order: remove them to use another number.', true);
    try {
      payment = await post('/demo-store/checkout/points', {
        member, amountMinor: count * 450, points: event.detail.points, authorization: event.detail.authorization,
      });
      say(payment.points.authorized.toLocaleString() + ' points are held for this order until you place it (${defaultAuthorizationMinutes} minutes at most).');
    } catch (error) {
      say('Your points could not be used: ' + error.message, true);
    }
    show();
    // The widget shows the balance left, and the points applied instead of offering more.
    if (payment) document.getElementById('widget').setAttribute('points-applied', String(payment.points.authorized));
  });
  document.getElementById('remove-points').onclick = async () => {
    await post('/demo-store/checkout/points/void', { paymentId: payment.id });
    payment = null;
    say('The points are back in your account.');
    update();
    document.getElementById('widget').removeAttribute('points-applied');
  };
  document.getElementById('place-order').onclick = async () => {
    if (count === 0) return say('Your cart is empty.', true);
    try {
      const captured = payment && (await post('/demo-store/checkout/order', { paymentId: payment.id }));
      const byPoints = captured ? captured.valueMinor.captured : 0;
      say('Order placed: ' + euros(count * 450 - byPoints) + ' by card' + (captured ? ' and ' + euros(byPoints) + ' with ' + captured.points.captured.toLocaleString() + ' points.' : '.'));
      payment = null;
      count = 0;
      update();
      document.getElementById('widget').removeAttribute('points-applied');
    } catch (error) {
      say('The order could not be placed: ' + error.message, true);
    }
  };
</script>
</body></html>`);
  });

  router.post('/demo-store/checkout/points', express.json({ limit: '10kb' }), async (req, res) => {
    const body = parse(pointsBody, req.body);
    const partner = await partnerByCode(body.partner);
    const { currency } = await programSettings(dataSource.manager);
    const { member } = await resolveCustomer(dataSource.manager, { partnerId: partner.id, customerId: body.member }, 'member');
    const token = body.authorization.slice('Bearer '.length);
    const payment = await committed(async (manager) => {
      await authorizeSpending(
        manager,
        { memberId: member.id, partnerId: partner.id, authorization: { kind: 'session', token }, tried: null, field: 'authorization' },
        // Sessions only here: no code is checked, so no code secret is needed.
        randomBytes(32).toString('hex'),
      );
      const { payment } = await authorizePayment(manager, ledger, {
        partnerId: partner.id,
        memberId: member.id,
        tender: 'points',
        basket: { amountMinor: body.amountMinor, currency },
        points: body.points,
        orderReference: `demo-${randomUUID().slice(0, 8)}`,
        expiresAt: new Date(Date.now() + defaultAuthorizationMinutes * 60_000),
        key: randomUUID(),
      });
      return describePayment(manager, payment);
    });
    res.status(201).json(answered(payment));
  });

  router.post('/demo-store/checkout/points/void', express.json({ limit: '10kb' }), async (req, res) => {
    const body = parse(paymentBody, req.body);
    const partner = await partnerByCode(body.partner);
    const voided = await committed(async (manager) =>
      describePayment(manager, await voidPayment(manager, ledger, { partnerId: partner.id, paymentId: body.paymentId })),
    );
    res.json(answered(voided));
  });

  router.post('/demo-store/checkout/order', express.json({ limit: '10kb' }), async (req, res) => {
    const body = parse(paymentBody, req.body);
    const partner = await partnerByCode(body.partner);
    const captured = await committed(async (manager) =>
      describePayment(manager, await capturePayment(manager, ledger, { partnerId: partner.id, paymentId: body.paymentId })),
    );
    res.json(answered(captured));
  });
  return router;
}
