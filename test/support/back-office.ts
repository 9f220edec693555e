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
