import { createBackOffice } from '../../admin/back-office.js';
import { Ledger } from '../../loyalty/ledger/ledger.js';
import { createRecordingMailer } from '../../reports/mailer.js';
import { createWebApp } from '../../wiring/web-app.js';
import { temporalBoosterWindows } from '../../workflows/booster-windows.js';
import { temporalCampaignApprovals } from '../../workflows/campaign-approvals.js';
import { temporalCareApprovals } from '../../workflows/care-approvals.js';
import { temporalFulfilmentControl } from '../../workflows/fulfilment-control.js';
import { listen } from './http.js';
import type { WorkerHarness } from './temporal.js';

/** The back office (and the API beside it) on a worker harness's database and Temporal, as `npm run web` composes them. */
export async function serveBackOffice(harness: WorkerHarness) {
  const db = harness.db;
  const ledger = new Ledger(db.dataSource);
  const backOffice = createBackOffice({
    dataSource: db.dataSource,
    care: {
      ledger,
      approvals: temporalCareApprovals(harness.env.client),
      campaignApprovals: temporalCampaignApprovals(harness.env.client),
      boosterWindows: temporalBoosterWindows(harness.env.client, harness.taskQueue),
      fulfilment: temporalFulfilmentControl(harness.env.client, harness.db.dataSource),
      processes: harness.processes,
    },
    mailer: createRecordingMailer(harness.sink.smtpUrl, 'Tessera <no-reply@tessera.test>', db.dataSource),
    databaseUrl: db.url,
    sessionSecret: 'a-test-session-secret-of-more-than-32-characters',
  });
  const served = await listen(createWebApp({ health: {}, api: { dataSource: db.dataSource, ledger }, backOffice: backOffice.router }));
  return {
    base: served.url,
    backOffice,
    async close() {
      await served.close();
      await backOffice.close();
    },
  };
}

/**
 * The back office's own API (`/admin/api/...`) as a signed-in staff member calls it: one session per
 * email, the form fields posted as AdminJS's pages post them. `base` is read at call time.
 */
export function backOfficeApi(base: () => string, password: string) {
  const cookies = new Map<string, string>();
  async function signIn(email: string): Promise<string> {
    if (cookies.has(email)) return cookies.get(email)!;
    const response = await fetch(`${base()}/admin/login`, {
      method: 'POST',
      headers: { origin: base() },
      body: new URLSearchParams({ email, password }),
      redirect: 'manual',
    });
    const cookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith('tessera_admin='))!
      .split(';')[0]!;
    cookies.set(email, cookie);
    return cookie;
  }
  async function post(email: string, path: string, fields: Record<string, string>) {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    const response = await fetch(`${base()}/admin/api${path}`, {
      method: 'POST',
      body: form,
      headers: { cookie: await signIn(email), origin: base() },
    });
    return { status: response.status, body: await response.json() };
  }
  async function get(email: string, path: string) {
    const response = await fetch(`${base()}/admin/api${path}`, {
      headers: { cookie: await signIn(email), origin: base() },
      redirect: 'manual',
    });
    const text = await response.text();
    return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : { text } };
  }
  return { post, get };
}
