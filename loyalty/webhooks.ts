import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookDelivery, WebhookEndpoint, type WebhookEvent } from '../entities/index.js';
import { queueProcess } from './outbox.js';
import type { WebhookData } from './webhook-events.js';
import { signBody } from './signatures.js';

/** A new signing secret: made by the server, shown once to whoever set the endpoint up, never again. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** Gives an endpoint a new signing secret, which is returned (to be shown once); the old one stops signing. */
export async function rotateWebhookSecret(manager: EntityManager, endpointId: string): Promise<string> {
  const secret = newWebhookSecret();
  await manager.update(WebhookEndpoint, { id: endpointId }, { secret });
  return secret;
}

/** Queues an event for every active endpoint of the partner that listens to it, in the caller's transaction (the outbox); the deliveries' ids. */
export async function queueWebhooks<E extends WebhookEvent>(
  manager: EntityManager,
  partnerId: string,
  event: E,
  data: WebhookData<E>,
): Promise<string[]> {
  const endpoints = await manager.find(WebhookEndpoint, { where: { partnerId, active: true } });
  const ids: string[] = [];
  for (const endpoint of endpoints.filter((e) => e.events.includes(event))) {
    const delivery = manager.create(WebhookDelivery, { endpointId: endpoint.id, event, payload: { event, data } });
    await manager.insert(WebhookDelivery, delivery);
    await queueProcess(manager, 'webhook_delivery', delivery.id, {});
    ids.push(delivery.id);
  }
  return ids;
}

/**
 * What became of a delivery attempt that did not throw. `endpoint_gone`: the endpoint was deleted or
 * disabled after the event was queued (a process may queue from a cached list of endpoints), so the
 * delivery is failed at once and nothing is sent or retried.
 */
export type WebhookAttemptResult = 'delivered' | 'endpoint_gone';

/** One attempt at a delivery; throws when the endpoint did not answer 2xx (the workflow retries). */
export async function attemptWebhook(dataSource: DataSource, deliveryId: string, now = new Date()): Promise<WebhookAttemptResult> {
  const delivery = await dataSource.manager.findOneByOrFail(WebhookDelivery, { id: deliveryId });
  if (delivery.status === 'delivered') return 'delivered';
  const endpoint = await dataSource.manager
    .createQueryBuilder(WebhookEndpoint, 'e')
    .addSelect('e.secret')
    .where('e.id = :id', { id: delivery.endpointId })
    .getOne();
  if (!endpoint?.active) {
    const lastError = `the endpoint was ${endpoint ? 'disabled' : 'deleted'} before the delivery was sent`;
    await dataSource.manager.update(WebhookDelivery, { id: delivery.id, status: 'pending' }, { status: 'failed', lastError });
    return 'endpoint_gone';
  }
  const body = JSON.stringify({ id: delivery.id, ...delivery.payload, sentAt: now.toISOString() });
  const signature = signBody(endpoint.secret, body, Math.floor(now.getTime() / 1000));
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'tessera-signature': signature, 'tessera-delivery': delivery.id },
      body,
      signal: AbortSignal.timeout(10_000),
      // A redirect would carry the signed body wherever the endpoint says, an internal address included.
      redirect: 'manual',
    });
    statusCode = response.status;
    if (response.status >= 300 && response.status < 400) {
      error = `answered ${response.status}: redirects are not followed; set the endpoint to the final address`;
    } else if (!response.ok) error = `answered ${response.status}`;
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  await dataSource.manager.update(
    WebhookDelivery,
    { id: delivery.id },
    {
      attempts: delivery.attempts + 1,
      lastStatusCode: statusCode,
      lastError: error,
      ...(error ? {} : { status: 'delivered', deliveredAt: new Date() }),
    },
  );
  if (error) throw new Error(`Webhook ${delivery.id} to ${endpoint.url}: ${error}`);
  return 'delivered';
}

/** Marks a delivery given up after its last attempt. */
export async function giveUpWebhook(dataSource: DataSource, deliveryId: string): Promise<void> {
  await dataSource.manager.update(WebhookDelivery, { id: deliveryId, status: 'pending' }, { status: 'failed' });
}
