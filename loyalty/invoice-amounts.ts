import type { EntityManager } from 'typeorm';
import { Invoice, Partner, PointPackage } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';

/** The VAT rate the program settings give the packages sold now (percent). */
export async function vatRateNow(manager: EntityManager): Promise<number> {
  return (await programSettings(manager)).vatRatePercent;
}

/**
 * A package's price includes VAT (what the partner pays is the price it saw): the gross is split
 * into the net and the VAT at the invoice's rate, the VAT rounded to the minor unit, so that net +
 * VAT is always the gross.
 */
export function vatBreakdown(grossMinor: number, ratePercent: number): { netMinor: number; vatMinor: number; grossMinor: number } {
  const vatMinor = Math.round((grossMinor * ratePercent) / (100 + ratePercent));
  return { netMinor: grossMinor - vatMinor, vatMinor, grossMinor };
}

/** Everything an invoice document shows, in the program's words. */
export interface InvoiceDocument {
  number: string;
  issuedAt: Date;
  issuer: string;
  partner: { name: string; code: string; contactEmail: string | null };
  currency: string;
  vatRatePercent: number;
  lines: { description: string; quantity: number; points: number; netMinor: number; vatMinor: number; grossMinor: number }[];
  totals: { netMinor: number; vatMinor: number; grossMinor: number };
}

/** An invoice as its document reads: who issued it to whom, its one line (the package), VAT and totals. */
export async function invoiceDocument(manager: EntityManager, invoiceId: string): Promise<InvoiceDocument | null> {
  const invoice = await manager.findOneBy(Invoice, { id: invoiceId });
  if (!invoice) return null;
  const [partner, pack, settings] = await Promise.all([
    manager.findOneByOrFail(Partner, { id: invoice.partnerId }),
    manager.findOneByOrFail(PointPackage, { id: invoice.packageId }),
    programSettings(manager),
  ]);
  const amounts = vatBreakdown(invoice.amountCents, invoice.vatRatePercent);
  return {
    number: invoice.number,
    issuedAt: invoice.createdAt,
    issuer: settings.invoiceIssuer,
    partner: { name: partner.name, code: partner.code, contactEmail: partner.contactEmail },
    currency: invoice.currency,
    vatRatePercent: invoice.vatRatePercent,
    lines: [{ description: `Point package ${pack.name} (${pack.code})`, quantity: 1, points: invoice.points, ...amounts }],
    totals: amounts,
  };
}
