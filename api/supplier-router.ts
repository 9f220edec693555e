import express, { Router } from 'express';
import type { DataSource } from 'typeorm';
import { recordShipmentReport } from '../loyalty/fulfilment/shipment-reports.js';
import type { Ledger } from '../loyalty/ledger/ledger.js';
import { hasValidSignature, signatureToleranceSeconds } from '../loyalty/signatures.js';
import type { FulfilmentControl } from '../workflows/fulfilment-control.js';
import { refuseOtherMethods } from './method-not-allowed.js';
import { fieldProblem, invalidRequest, noSuchEndpoint, sendProblem } from './problem.js';
import { requireJson } from './require-json.js';
import { shipmentReportBody } from './schemas.js';

export interface SupplierCallbackDependencies {
  dataSource: DataSource;
  ledger: Ledger;
  /** SUPPLIER_SECRET: the supplier signs its reports with it. */
  secret: string;
  /** Tells the redemption's fulfilment that its order was reported. */
  fulfilment: Pick<FulfilmentControl, 'shipmentReported'>;
  logFault: (error: unknown, path: string) => void;
}

/**
 * The supplier's side of the HTTP supplier adapter: `POST /shipments` reports an order shipped or
 * failed. Signed like Tessera's webhooks (`Tessera-Signature` over the raw body, with
 * SUPPLIER_SECRET, at most five minutes old); recorded once, then the fulfilment is told.
 */
export function supplierCallbackRouter({ dataSource, ledger, secret, fulfilment, logFault }: SupplierCallbackDependencies): Router {
  const router = Router();
  router.post('/shipments', requireJson, express.raw({ type: () => true, limit: '20kb' }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    if (!hasValidSignature(secret, raw, req.header('tessera-signature'), new Date())) {
      return sendProblem(res, {
        status: 401,
        title: 'Unauthorized',
        code: 'unauthorized',
        detail: `Tessera-Signature is missing, does not sign this body with the supplier secret, or is more than ${signatureToleranceSeconds / 60} minutes old`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw fieldProblem(400, 'Malformed request', 'invalid_request', [{ field: 'body', message: 'is not valid JSON' }]);
    }
    const parsed = shipmentReportBody.safeParse(json);
    if (!parsed.success) throw invalidRequest('body', parsed.error);
    const report = parsed.data;
    const reportedBy = 'the http supplier';
    const recorded = await recordShipmentReport(
      dataSource,
      ledger,
      report.status === 'shipped'
        ? {
            redemptionId: report.reference,
            reportedBy,
            outcome: 'shipped',
            carrier: report.carrier ?? null,
            trackingNumber: report.trackingNumber ?? null,
          }
        : { redemptionId: report.reference, reportedBy, outcome: 'failed', reason: report.reason },
      { supplier: 'http' },
    );
    if (recorded.outcome === 'recorded') {
      // Recorded is what counts: a fulfilment not told now finds the report at its next look.
      await fulfilment.shipmentReported(report.reference).catch((error) => logFault(error, req.path));
    }
    res.json({ reference: report.reference, outcome: recorded.outcome });
  });
  refuseOtherMethods(router);
  router.use(noSuchEndpoint);
  return router;
}
