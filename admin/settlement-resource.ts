import type { ActionContext, ActionResponse, RecordJSON } from 'adminjs';
import type { DataSource } from 'typeorm';
import { settlementStatuses } from '../entities/index.js';
import { recordNames } from '../loyalty/record-names.js';
import { statementDocument } from '../loyalty/settlement/statement-document.js';
import { settlementCsv } from '../reports/settlement-csv.js';
import { settlementPdf } from '../reports/settlement-pdf.js';
import { allowed } from './back-office-actions.js';
import { canRead } from './permissions.js';
import type { Presentation } from './presentation.js';
import type { StaffSession } from './staff-sign-in.js';

const statusLabels: Record<(typeof settlementStatuses)[number], string> = {
  computed: 'not emailed',
  emailed: 'emailed',
};

/** A name as a file name's part: "Café Aroma" → "cafe-aroma". */
const slug = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

const figures = [
  'issuedValueMinor',
  'redeemedAtValueMinor',
  'redeemedElsewhereValueMinor',
  'breakageValueMinor',
  'breakageOperatorShareMinor',
  'netMinor',
];

/** The statements' list and page: parties by name, money in the statement's currency, each line with its transfers. */
export function settlementPresentation(dataSource: DataSource): Presentation {
  return {
    names: { partnerId: { kind: 'Partner', reference: 'Partner', empty: 'The operator' } },
    money: Object.fromEntries(figures.map((path) => [path, { currencyProperty: 'currency' }])),
    details: async (records: RecordJSON[], context: ActionContext) => {
      for (const record of records) record.params.month = monthName.format(new Date(String(record.params.periodStart)));
      if (context.action.name !== 'show') return;
      const user = context.currentAdmin as unknown as StaffSession | undefined;
      const readsLedger = user !== undefined && canRead('LedgerTransfer', user.role);
      for (const record of records) {
        const document = await statementDocument(dataSource.manager, String(record.params.id));
        const lines = document?.lines ?? [];
        const names = await recordNames(
          dataSource.manager,
          'LedgerTransfer',
          lines.flatMap((line) => line.transferIds),
        );
        record.params.statementLines = JSON.stringify(
          lines.map((line) => ({
            description: line.description,
            points: line.points,
            valueMinor: line.valueMinor,
            amountMinor: line.amountMinor,
            transfers: line.transferIds.map((id) => ({
              id,
              name: names.get(id)?.name ?? 'a transfer',
              link: readsLedger ? context.h.recordActionUrl({ resourceId: 'LedgerTransfer', recordId: id, actionName: 'show' }) : undefined,
            })),
          })),
        );
      }
    },
  };
}

/** The resource's options: read-only, listed by period and party, with the PDF and CSV downloads. */
export function settlementStatementOptions(dataSource: DataSource, components: { settlementLines: string; settlementDownload: string }) {
  const show = { list: false, filter: false, show: true, edit: false };
  return {
    readOnly: true,
    listProperties: ['month', 'partnerId', 'netMinor', 'redeemedAtPoints', 'redeemedElsewherePoints', 'status'],
    filterProperties: ['period', 'partnerId', 'status'],
    showProperties: [
      'month',
      'partnerId',
      'status',
      'emailedAt',
      'emailedTo',
      'netMinor',
      'issuedPoints',
      'issuedValueMinor',
      'redeemedAtPoints',
      'redeemedAtValueMinor',
      'redeemedElsewherePoints',
      'redeemedElsewhereValueMinor',
      'breakagePoints',
      'breakageValueMinor',
      'breakageOperatorShareMinor',
      'clearingValueMinor',
      'breakageOperatorSharePercent',
      'statementLines',
    ],
    sort: { sortBy: 'period', direction: 'desc' as const },
    properties: {
      status: { availableValues: Object.entries(statusLabels).map(([value, label]) => ({ value, label })) },
      statementLines: { type: 'string' as const, isVisible: show, components: { show: components.settlementLines } },
      month: { type: 'string' as const, isVisible: { list: true, filter: false, show: true, edit: false } },
      period: { description: 'The month, like 2026-10', isVisible: { list: false, filter: true, show: false, edit: false } },
      party: { isVisible: false },
      periodStart: { isVisible: false },
      periodEnd: { isVisible: false },
      currency: { isVisible: { list: false, filter: false, show: true, edit: false } },
    },
    actions: {
      download: {
        actionType: 'record' as const,
        icon: 'Download',
        component: components.settlementDownload,
        isAccessible: allowed('SettlementStatement', 'download'),
        handler: async (_request: unknown, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
          const document = (await statementDocument(dataSource.manager, String(context.record!.params.id)))!;
          const file = `settlement-${document.statement.period}-${slug(document.partyName)}`;
          return {
            record: context.record!.toJSON(context.currentAdmin),
            pdf: { filename: `${file}.pdf`, base64: (await settlementPdf(document)).toString('base64') },
            csv: { filename: `${file}.csv`, base64: Buffer.from(settlementCsv(document), 'utf8').toString('base64') },
          } as unknown as ActionResponse;
        },
      },
    },
  };
}
