import AdminJSExpress from '@adminjs/express';
import { Database } from '@adminjs/typeorm';
import AdminJS from 'adminjs';
import connectPgSimple from 'connect-pg-simple';
import { Router } from 'express';
import session from 'express-session';
import type { DataSource } from 'typeorm';
import { refuseCrossSiteRequests } from './cross-site-requests.js';
import { backOfficeAccessGuard } from './access-guard.js';
import { backOfficeComponents, dropStaleComponentsBundle } from './components.js';
import type { CareServices } from './care-adjustment-resource.js';
import type { Mailer } from '../reports/mailer.js';
import { propertyLabels, withLabels } from './labels.js';
import { backOfficeResources } from './resources.js';
import { dashboardHandler } from './dashboard.js';
import { ScopedResource } from './scoped-resource.js';
import { signIn } from './staff-sign-in.js';
import { setPasswordPage } from './set-password-page.js';

AdminJS.registerAdapter({ Database, Resource: ScopedResource });

export interface BackOfficeOptions {
  dataSource: DataSource;
  /** The ledger and the approval workflow behind care adjustments. */
  care: CareServices;
  /** Resends members' emails. */
  mailer: Mailer;
  /** Sessions are kept in PostgreSQL (table staff_session), so they survive restarts and scale out. */
  databaseUrl: string;
  sessionSecret: string;
  /** Base of the URLs shown to staff (the widget snippet). */
  publicUrl?: string;
  /**
   * Whether webhook endpoints may be on this machine or its network, over http too: for a
   * development machine (`npm start`) only; production delivers to public https addresses.
   */
  localWebhookAddresses?: boolean;
  rootPath?: string;
}

export interface BackOffice {
  admin: AdminJS;
  router: Router;
  close(): Promise<void>;
}

/** The AdminJS back office: staff sign-in (with lockout), sessions in PostgreSQL, resources by role. */
export function createBackOffice({
  dataSource,
  care,
  mailer,
  databaseUrl,
  sessionSecret,
  publicUrl = 'http://localhost:3000',
  localWebhookAddresses = false,
  rootPath = '/admin',
}: BackOfficeOptions): BackOffice {
  const { componentLoader, dashboard, components } = backOfficeComponents();
  dropStaleComponentsBundle();
  const admin = new AdminJS({
    componentLoader,
    dashboard: { component: dashboard, handler: dashboardHandler(dataSource) },
    rootPath,
    loginPath: `${rootPath}/login`,
    logoutPath: `${rootPath}/logout`,
    resources: backOfficeResources(dataSource, { ...care, mailer }, publicUrl, components, { localAddresses: localWebhookAddresses }),
    branding: { companyName: 'Tessera', withMadeWithLove: false, logo: false },
    locale: {
      language: 'en',
      translations: {
        en: {
          components: {
            Login: {
              welcomeHeader: 'Tessera back office',
              welcomeMessage: 'Run the coalition program: partners, rules, rewards, members and their points.',
            },
          },
          properties: propertyLabels,
          resources: withLabels({
            // Unfiltered, the list of reward orders is the queue of orders to pick.
            FulfilmentOrder: {
              actions: { list: 'Orders to pick' },
              properties: { orderedAt: 'Ordered', shipTo: 'Ship to', trackingNumber: 'Tracking number', redemptionId: 'Redemption' },
            },
            Partner: { actions: { createApiKey: 'Create API key', widgetSnippet: 'Earn widget snippet' } },
            Member: {
              actions: {
                list: 'Members',
                show: 'Member page',
                exportData: 'Export data',
                requestErasure: 'Erase personal data',
                find: 'Find a member',
                adjustPoints: 'Adjust points',
              },
              properties: {
                personalData: 'Personal data',
                externalId: 'Reference',
                displayName: 'Name',
                enrolledAt: 'Enrolled on',
                expiringSoon: 'Expiring soon',
                holds: 'Pending holds',
                pendingPoints: 'Pending points',
                adjustments: 'Care adjustments',
                lots: 'Lots',
                history: 'History',
              },
            },
            CareAdjustment: {
              actions: { list: 'Care adjustments', show: 'Care adjustment', new: 'Ask for a care adjustment' },
              properties: {
                memberExternalId: 'Member reference',
                member: 'Member',
                balance: 'Balance (available points)',
                requestedBy: 'Asked by',
                decidedBy: 'Decided by',
                createdAt: 'Asked on',
              },
            },
            ErasureRequest: {
              actions: { approve: 'Approve', reject: 'Reject' },
              properties: {
                memberId: 'Member',
                requestedAt: 'Asked on',
                requestedBy: 'Asked for by',
                decidedBy: 'Decided by',
                decidedAt: 'Decided on',
              },
            },
            Company: { properties: { memberId: 'Points account (its member record)' } },
            Receipt: {
              actions: { list: 'Receipts', review: 'Review' },
              properties: {
                uploadedAt: 'Sent',
                memberId: 'Member',
                partnerId: 'Store',
                pointOfSaleId: 'Point of sale',
                purchasedOn: 'Bought on',
                totalCents: 'Total',
                reviewReason: 'Sent to care because',
                storeName: 'Store as printed',
                confidence: 'OCR confidence (%)',
                eventId: 'Purchase event',
                rejectionReason: 'Rejected because',
                acceptedAnywayReason: 'Accepted as another purchase because',
                text: 'Text read',
                imageDeletedAt: 'Image deleted on',
              },
            },
            MessageCampaign: { actions: { list: 'Message campaigns', cancel: 'Cancel' } },
            Challenge: { actions: { list: 'Challenges' } },
            Badge: { actions: { list: 'Badges' } },
            Leaderboard: { actions: { list: 'Leaderboards' } },
            InstantWinCampaign: { actions: { list: 'Instant-win campaigns' } },
            ApiKey: { actions: { rotate: 'Rotate key' } },
            StaffUser: { actions: { resendInvitation: 'Resend invitation' } },
            Invoice: { actions: { downloadPdf: 'Download PDF' } },
            WebhookEndpoint: { actions: { rotateSecret: 'Rotate signing secret' }, properties: { url: 'URL' } },
            FundingSource: {
              actions: { allocate: 'Allocate points', liability: 'Points liability' },
              properties: { ownerPartnerId: 'Owner partner', lowBalanceThreshold: 'Alert under (points)', low: 'Running low' },
            },
          }),
          labels: {
            Partner: 'Partners',
            PointOfSale: 'Points of sale',
            ApiKey: 'API keys',
            PointPackage: 'Point packages',
            Invoice: 'Invoices',
            EarningRule: 'Earning rules',
            Booster: 'Boosters',
            Bonus: 'Bonuses',
            Tier: 'Tiers',
            ProgramSettings: 'Program settings',
            Reward: 'Rewards',
            Member: 'Members',
            MemberEvent: 'Member events',
            Redemption: 'Redemptions',
            Payment: 'Payments at checkout',
            FulfilmentOrder: 'Reward orders',
            LedgerTransfer: 'Transfers',
            StaffUser: 'Staff users',
            AuditEntry: 'Audit log',
            CareAdjustment: 'Care adjustments',
            ErasureRequest: 'Erasure requests',
            Company: 'Companies',
            CompanyFunding: 'Company funding',
            WebhookEndpoint: 'Webhooks',
            WebhookDelivery: 'Webhook deliveries',
            FundingSource: 'Funding sources',
            CreditProgram: 'Store-credit programs',
            ExchangeRate: 'Exchange rates',
            Receipt: 'Receipts',
            MessageCampaign: 'Message campaigns',
            Challenge: 'Challenges',
            Badge: 'Badges',
            Leaderboard: 'Leaderboards',
            InstantWinCampaign: 'Instant-win campaigns',
          },
        },
      },
    },
  });
  const SessionStore = connectPgSimple(session);
  const store = new SessionStore({ conString: databaseUrl, tableName: 'staff_session', createTableIfMissing: true });
  const sessionOptions = {
    store,
    secret: sessionSecret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' as const, maxAge: 8 * 3_600_000 },
  };
  const adminRouter = AdminJSExpress.buildAuthenticatedRouter(
    admin,
    {
      authenticate: (email: string, password: string) => signIn(dataSource.manager, email, password),
      cookiePassword: sessionSecret,
      cookieName: 'tessera_admin',
    },
    null,
    { ...sessionOptions, name: 'tessera_admin' },
  );
  // The session is read first so that the guard knows who asks; AdminJS then reuses it.
  const router = Router();
  router.use(
    refuseCrossSiteRequests,
    setPasswordPage(dataSource),
    session({ ...sessionOptions, name: 'tessera_admin' }),
    backOfficeAccessGuard(admin, dataSource),
    adminRouter,
  );
  return { admin, router, close: async () => store.close() };
}
