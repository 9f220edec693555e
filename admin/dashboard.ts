import { ForbiddenError } from 'adminjs';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Partner } from '../entities/index.js';
import { Refusal } from '../loyalty/refusal.js';
import { analytics, definitions, figureCsv, figureNamed, type Figure } from '../reports/analytics.js';
import { dateRange } from '../reports/date-range.js';
import { dataScope } from './permissions.js';
import type { StaffSession } from './staff-sign-in.js';

/**
 * The dashboard's answer: every figure over the range the query asks for (`from`/`to` or a
 * `preset`), or with `csv=<figure>` that figure as a file. Whose figures comes from the session
 * only: a partner user's are its partner's whatever the query says. A range that is none is
 * answered 400 with the message under its field.
 */
export function dashboardHandler(dataSource: DataSource) {
  return async (request: { query?: Record<string, unknown> }, response: Response, context: { currentAdmin?: unknown }) => {
    // Every role reads partners: a partner user its own, staff the coalition's, an unusable account none.
    const scope = dataScope('Partner', context.currentAdmin as unknown as StaffSession | undefined);
    const partner = scope.kind === 'partner' ? await dataSource.manager.findOneBy(Partner, { id: scope.partnerId }) : null;
    if (scope.kind === 'none' || (scope.kind === 'partner' && !partner)) throw new ForbiddenError('This account sees no figures');
    const query = request.query ?? {};
    let range: ReturnType<typeof dateRange>;
    let csv: Figure | null;
    try {
      range = dateRange(query);
      csv = query.csv === undefined ? null : figureNamed(query.csv);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      response.status(400);
      return { message: 'Please correct the highlighted fields', errors: { [error.field!]: error.reason } };
    }
    const figuresNow = await analytics(dataSource.manager, { range, partnerId: partner?.id });
    if (csv) {
      const { filename, body } = figureCsv(csv, figuresNow);
      response.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
      return body;
    }
    return {
      ...figuresNow,
      scope: partner?.name ?? 'The coalition program',
      partner: !!partner,
      definitions: definitions(partner ? 'partner' : 'program'),
    };
  };
}
