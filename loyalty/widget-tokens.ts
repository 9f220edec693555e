import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ProgramSettings } from '../entities/index.js';
import { programSettings } from './earning/program-settings.js';

export interface WidgetClaims {
  partnerId: string;
  externalId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

async function secret(manager: EntityManager): Promise<string> {
  await programSettings(manager);
  // The first caller makes the installation's secret; everyone after reads that one.
  await manager.query(`UPDATE program_settings SET "widgetSecret" = $1 WHERE id = 1 AND "widgetSecret" IS NULL`, [
    randomBytes(32).toString('hex'),
  ]);
  const row = await manager.createQueryBuilder(ProgramSettings, 's').addSelect('s.widgetSecret').where('s.id = 1').getOneOrFail();
  return row.widgetSecret!;
}

const sign = (key: string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/**
 * A short-lived token that lets the earn widget, in a store's page, show one member's points at
 * that store. The store's server asks for it; the page never sees the API key.
 */
export async function mintWidgetToken(
  manager: EntityManager,
  claims: { partnerId: string; externalId: string },
  ttlSeconds = 3_600,
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ p: claims.partnerId, m: claims.externalId, e: expiresAt })).toString('base64url');
  return { token: `${payload}.${sign(await secret(manager), payload)}`, expiresAt: new Date(expiresAt * 1000) };
}

/** The claims of a genuine, unexpired token; null otherwise. */
export async function verifyWidgetToken(manager: EntityManager, token: string): Promise<WidgetClaims | null> {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(await secret(manager), payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const { p, m, e } = JSON.parse(Buffer.from(payload, 'base64url').toString());
    if (typeof p !== 'string' || typeof m !== 'string' || typeof e !== 'number' || e * 1000 < Date.now()) return null;
    return { partnerId: p, externalId: m, expiresAt: e };
  } catch {
    return null;
  }
}
