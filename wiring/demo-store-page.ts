import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { Partner } from '../entities/index.js';
import { mintWidgetToken } from '../loyalty/widget-tokens.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * /demo-store: a partner's shop page with the earn widget in it, as a store would paste it. The
 * store's server asks for the widget token (here directly, in a real shop through the API).
 */
export function demoStoreRouter(dataSource: DataSource): Router {
  const router = Router();
  router.get('/demo-store', async (req, res) => {
    const partnerCode = typeof req.query.partner === 'string' ? req.query.partner : 'koffie-corner';
    const externalId = typeof req.query.member === 'string' ? req.query.member : 'demo-001';
    const partner = await dataSource.manager.findOneBy(Partner, { code: partnerCode });
    if (!partner) {
      res.status(404).type('text').send(`No partner "${partnerCode}"`);
      return;
    }
    const { token } = await mintWidgetToken(dataSource.manager, { partnerId: partner.id, externalId });
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(partner.name)} — demo shop</title>
<style>body{font-family:system-ui;margin:2rem;max-width:40rem} .item{display:flex;gap:1rem;align-items:center;margin:.5rem 0}</style>
<script src="/widget.js" defer></script></head>
<body>
<h1>${escapeHtml(partner.name)}</h1>
<p>Signed in as <strong>${escapeHtml(externalId)}</strong>. A demo shop page with the Tessera earn widget.</p>
<div class="item"><span>Flat white — €4.50</span><button id="add">Add to cart</button><button id="remove">Remove</button></div>
<p>Cart: <span id="count">0</span> item(s), €<span id="total">0.00</span></p>
<tessera-earn id="widget" token="${escapeHtml(token)}" amount-cents="0"></tessera-earn>
<script>
  let count = 0;
  const update = () => {
    document.getElementById('count').textContent = String(count);
    document.getElementById('total').textContent = (count * 4.5).toFixed(2);
    document.getElementById('widget').setAttribute('amount-cents', String(count * 450));
  };
  document.getElementById('add').onclick = () => { count += 1; update(); };
  document.getElementById('remove').onclick = () => { count = Math.max(0, count - 1); update(); };
</script>
</body></html>`);
  });
  return router;
}
