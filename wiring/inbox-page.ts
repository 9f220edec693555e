import { Router } from 'express';
import { readInbox } from './embedded/mail-sink.js';
import { readSmsInbox } from './embedded/sms-sink.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The folders of the local sinks that run: the mail sink's, the SMS sink's. */
export interface InboxFolders {
  mail?: string;
  sms?: string;
}

/** The local sinks' inbox: every mail and text message Tessera sent while running on embedded services. */
export function inboxRouter(folders: InboxFolders): Router {
  const router = Router();
  const mails = () => (folders.mail ? readInbox(folders.mail) : Promise.resolve([]));
  const texts = () => (folders.sms ? readSmsInbox(folders.sms) : Promise.resolve([]));
  router.get('/inbox.json', async (_req, res) => {
    res.json(await mails());
  });
  router.get('/inbox/sms.json', async (_req, res) => {
    res.json(await texts());
  });
  router.get('/inbox', async (_req, res) => {
    const [mail, sms] = await Promise.all([mails(), texts()]);
    const mailRows = mail
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.date.toISOString())}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
          `<td><a href="/inbox/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td>` +
          `<td>${m.attachments.length}</td></tr>`,
      )
      .join('\n');
    const smsRows = sms
      .map((m) => `<tr><td>${escapeHtml(m.receivedAt.toISOString())}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.text)}</td></tr>`)
      .join('\n');
    const mailSection = folders.mail
      ? `<h2>Mail (${mail.length})</h2><p>Sent through the local SMTP sink.</p>
<table><tr><th>Received</th><th>To</th><th>Subject</th><th>Attachments</th></tr>${mailRows}</table>`
      : '<h2>Mail</h2><p>Mail goes to the SMTP server in SMTP_URL.</p>';
    const smsSection = folders.sms
      ? `<h2>Text messages (${sms.length})</h2><p>Sent through the local SMPP sink.</p>
<table><tr><th>Received</th><th>To</th><th>Text</th></tr>${smsRows}</table>`
      : '<h2>Text messages</h2><p>Text messages go to the SMSC in SMS_URL.</p>';
    res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tessera inbox</title>
<style>body{font-family:system-ui;margin:2rem}td,th{padding:.3rem .8rem;text-align:left;border-bottom:1px solid #ddd}td{white-space:pre-wrap}</style></head>
<body><h1>Inbox</h1>
${mailSection}
${smsSection}
</body></html>`);
  });
  router.get('/inbox/:id', async (req, res) => {
    const mail = (await mails()).find((m) => m.id === req.params.id);
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
