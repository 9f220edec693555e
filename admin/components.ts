import AdminJS, { ComponentLoader } from 'adminjs';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const componentsFolder = new URL('./components/', import.meta.url);

/** The back office's own React components, registered with AdminJS's loader by name. */
export function backOfficeComponents() {
  const componentLoader = new ComponentLoader();
  const component = (name: string, file: string) => componentLoader.add(name, fileURLToPath(new URL(file, componentsFolder)));
  const dashboard = component('Dashboard', 'dashboard.tsx');
  const components = {
    reportForm: component('FulfilmentReportForm', 'fulfilment-report-form.tsx'),
    shownOnce: component('ShownOnceAction', 'shown-once-action.tsx'),
    newWithSecret: component('NewWithSecret', 'new-with-secret.tsx'),
    choices: component('ChoicesProperty', 'choices-property.tsx'),
    erasureRequestForm: component('ErasureRequestForm', 'erasure-request-form.tsx'),
    dataDownload: component('MemberDataDownload', 'member-data-download.tsx'),
    campaignBuilder: component('CampaignBuilder', 'campaign-builder.tsx'),
    campaignRejectionForm: component('CampaignRejectionForm', 'campaign-rejection-form.tsx'),
    memberSearch: component('MemberSearchResults', 'member-search-results.tsx'),
    memberHistory: component('MemberHistory', 'member-history.tsx'),
    adjustPoints: component('AdjustPointsForm', 'adjust-points-form.tsx'),
    memberLink: component('MemberLinkProperty', 'member-link-property.tsx'),
    readableValue: component('ReadableValue', 'readable-value.tsx'),
    campaignResults: component('CampaignResults', 'campaign-results.tsx'),
    segmentForm: component('SegmentForm', 'segment-form.tsx'),
    segmentExport: component('SegmentExport', 'segment-export.tsx'),
    partnerOnboarding: component('PartnerOnboardingForm', 'partner-onboarding-form.tsx'),
    invoicePdf: component('InvoicePdfDownload', 'invoice-pdf-download.tsx'),
    widgetSnippet: component('WidgetSnippet', 'widget-snippet.tsx'),
    fundingAllocation: component('FundingAllocationForm', 'funding-allocation-form.tsx'),
    liabilityReport: component('LiabilityReport', 'liability-report.tsx'),
    settlementLines: component('SettlementLines', 'settlement-lines.tsx'),
    settlementDownload: component('SettlementDownload', 'settlement-download.tsx'),
    receiptReview: component('ReceiptReviewForm', 'receipt-review-form.tsx'),
    wallClockInput: component('WallClockInput', 'wall-clock-input.tsx'),
    messageCampaignResults: component('MessageCampaignResults', 'message-campaign-results.tsx'),
  };
  // Care's member search, in front of AdminJS's top bar on every page.
  componentLoader.override('TopBar', fileURLToPath(new URL('top-bar.tsx', componentsFolder)));
  return { componentLoader, dashboard, components };
}

/** Where AdminJS keeps its components' bundle outside production (AdminJS reads the same variable). */
const bundleFile = () => join(process.env.ADMIN_JS_TMP_DIR ?? '.adminjs', 'bundle.js');

/**
 * Outside production AdminJS bundles the components on the first request that finds no bundle, and
 * serves a bundle it finds as it is. One older than a component is dropped so the next request
 * rebuilds it; a fresh one is kept, so processes sharing the folder (test files run side by side)
 * neither delete it under each other nor each spend a build on it.
 */
export function dropStaleComponentsBundle(): void {
  if (process.env.NODE_ENV === 'production') return;
  const file = bundleFile();
  let built: number;
  try {
    built = statSync(file).mtimeMs;
  } catch {
    return;
  }
  const folder = fileURLToPath(componentsFolder);
  const newest = Math.max(...readdirSync(folder).map((name) => statSync(join(folder, name)).mtimeMs));
  if (newest > built) rmSync(file, { force: true });
}

/** Builds the components' bundle now, as the first request would: the test run does it once for all its servers. */
export async function bundleBackOfficeComponents(): Promise<void> {
  // AdminJS's bundler fixes its paths from ADMIN_JS_TMP_DIR when it is first imported.
  const { componentsBundler, generateUserComponentEntry } = await import('adminjs/bundler');
  const admin = new AdminJS({ componentLoader: backOfficeComponents().componentLoader });
  rmSync(bundleFile(), { force: true });
  await componentsBundler.createEntry({ content: generateUserComponentEntry(admin, process.env.ADMIN_JS_TMP_DIR ?? '.adminjs') });
  await componentsBundler.build();
}
