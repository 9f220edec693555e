import { signBody } from '../signatures.js';
import type { PlacedOrder, RewardSupplier, SupplierCancellation, SupplierOrder } from './reward-supplier.js';

export interface HttpSupplierOptions {
  /** Base URL of the supplier's order API: orders are POSTed to `<url>/orders`. */
  url: string;
  /** Signs every request (`Tessera-Signature`), and the supplier signs its shipment reports with it. */
  secret: string;
  timeoutMs?: number;
}

/**
 * A supplier reached over HTTP. Orders and cancellations are POSTed as JSON, signed like Tessera's
 * webhooks and keyed by the order's reference (Idempotency-Key), so that a retry never orders twice;
 * the supplier reports shipments to Tessera's signed callback (`POST /api/supplier/v1/shipments`).
 */
export class HttpRewardSupplier implements RewardSupplier {
  readonly kind = 'http' as const;
  private readonly base: string;

  constructor(private readonly options: HttpSupplierOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  async placeOrder(order: SupplierOrder) {
    const response = await this.post('/orders', order.reference, {
      reference: order.reference,
      reward: { code: order.rewardCode, name: order.rewardName },
      quantity: order.quantity,
      orderedAt: order.orderedAt.toISOString(),
      recipient: order.recipient,
    });
    if (response.status === 422) return { outcome: 'refused' as const, reason: `the supplier refused it: ${detailOf(response.body)}` };
    const orderId = response.ok ? (response.body as { orderId?: unknown } | null)?.orderId : undefined;
    if (typeof orderId !== 'string' || orderId === '') throw this.unexpected('order', response);
    return { outcome: 'placed' as const, supplierOrderId: orderId };
  }

  async cancelOrder(order: PlacedOrder): Promise<SupplierCancellation> {
    // By Tessera's reference: the supplier's own id may never have reached Tessera.
    const path = `/orders/${encodeURIComponent(order.reference)}/cancellation`;
    const response = await this.post(path, `cancel-${order.reference}`, { reference: order.reference });
    const answer = response.ok ? (response.body as { status?: unknown; carrier?: unknown; trackingNumber?: unknown } | null) : null;
    if (answer?.status === 'cancelled') return { outcome: 'cancelled' };
    if (answer?.status === 'shipped') {
      return { outcome: 'already_shipped', carrier: textOrNull(answer.carrier), trackingNumber: textOrNull(answer.trackingNumber) };
    }
    throw this.unexpected('cancellation', response);
  }

  /** This supplier reports its shipments to the callback: there is nothing to ask. */
  async orderStatus() {
    return { status: 'pending' as const };
  }

  private async post(path: string, idempotencyKey: string, payload: object) {
    const body = JSON.stringify(payload);
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        'tessera-signature': signBody(this.options.secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    return { ok: response.ok, status: response.status, body: parseJson(await response.text()) };
  }

  private unexpected(what: string, response: { status: number; body: unknown }): Error {
    return new Error(`Supplier at ${this.base}: unexpected answer to the ${what} (${response.status}): ${detailOf(response.body)}`);
  }
}

function detailOf(body: unknown): string {
  const { detail, title } = (body ?? {}) as { detail?: unknown; title?: unknown };
  return String(detail ?? title ?? 'no details').slice(0, 300);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const textOrNull = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
