import { Router } from 'express';
import { readInbox } from './embedded/mail-sink.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The local mail sink's inbox: every message Tessera sent while running on embedded services. */
export function inboxRouter(directory: string): Router {
  const router = Router();
  router.get('/inbox.json', async (_req, res) => {
    res.json(await readInbox(directory));
  });
  router.get('/inbox', async (_req, res) => {
    const mails = await readInbox(directory);
    const rows = mails
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.date.toISOString())}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
          `<td><a href="/inbox/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td>` +
          `<td>${m.attachments.length}</td></tr>`,
      )
      .join('\n');
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera inbox</title>
<style>body{font-family:system-ui;margin:2rem}td,th{padding:.3rem .8rem;text-align:left;border-bottom:1px solid #ddd}</style></head>
<body><h1>Inbox (${mails.length})</h1><p>Mail sent through the local SMTP sink.</p>
<table><tr><th>Received</th><th>To</th><th>Subject</th><th>Attachments</th></tr>${rows}</table></body></html>`);
  });
  router.get('/inbox/:id', async (req, res) => {
    const mail = (await readInbox(directory)).find((m) => m.id === req.params.id);
    if (!mail) {
      res.status(404).type('text').send('No such message');
      return;
    }
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(mail.subject)}</title></head>
<body style="font-family:system-ui;margin:2rem"><p><a href="/inbox">← Inbox</a></p><h1>${escapeHtml(mail.subject)}</h1>
<p>From ${escapeHtml(mail.from)} to ${escapeHtml(mail.to.join(', '))}, ${escapeHtml(mail.date.toISOString())}</p>
<pre style="white-space:pre-wrap">${escapeHtml(mail.text)}</pre>
${mail.attachments.map((a) => `<p>📎 ${escapeHtml(a.filename ?? 'attachment')} (${escapeHtml(a.contentType)}, ${a.size} bytes)</p>`).join('')}
</body></html>`);
  });
  return router;
}
