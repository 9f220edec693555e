import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { ApiKey, Partner } from '../entities/index.js';
import { ConfigurationCache } from './configuration-freshness.js';

const prefixLength = 12;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface IssuedApiKey {
  /** The whole key: shown to the partner once, never stored. */
  secret: string;
  key: ApiKey;
}

const keyPattern = /^(tk_[A-Za-z0-9_-]{12})_[A-Za-z0-9_-]+$/;

/**
 * Issues a key `tk_<12 public characters>_<32 secret characters>` for a partner. `presetSecret`
 * is for the demo program only, whose keys are printed in the README.
 */
export async function issueApiKey(manager: EntityManager, partnerId: string, name: string, presetSecret?: string): Promise<IssuedApiKey> {
  const prefix = presetSecret ? keyPattern.exec(presetSecret)?.[1] : `tk_${randomBytes(9).toString('base64url').slice(0, prefixLength)}`;
  if (!prefix) throw new Error('A preset API key must look like tk_<12 characters>_<secret>');
  const secret = presetSecret ?? `${prefix}_${randomBytes(24).toString('base64url')}`;
  const key = await manager.save(manager.create(ApiKey, { partnerId, name, prefix, secretHash: sha256(secret) }));
  return { secret, key };
}

/** Revokes a key of the partner's; a revoked key authenticates nothing from then on. */
export async function revokeApiKey(manager: EntityManager, partnerId: string, keyId: string): Promise<boolean> {
  const result = await manager.update(ApiKey, { id: keyId, partnerId, revokedAt: IsNull() }, { revokedAt: new Date() });
  return (result.affected ?? 0) > 0;
}

export interface Authenticated {
  partner: Partner;
  key: ApiKey;
}

/** Keys by prefix, kept while a listener hears every change of keys and partners (a revoked key is forgotten at once). */
const keys = new ConfigurationCache<ApiKey | null>(0);

/**
 * The partner a presented key belongs to, or null for an unknown, malformed or revoked key.
 * Records when the key was last used (at most once a minute, to keep the hot path read-only).
 */
export async function authenticateApiKey(manager: EntityManager, presented: string): Promise<Authenticated | null> {
  const match = keyPattern.exec(presented);
  if (!match) return null;
  const key = await keys.read(manager.connection, match[1]!, () =>
    manager
      .createQueryBuilder(ApiKey, 'k')
      .addSelect('k.secretHash')
      .leftJoinAndSelect('k.partner', 'partner')
      .where('k.prefix = :prefix', { prefix: match[1] })
      .getOne(),
  );
  if (!key || key.revokedAt || !key.partner) return null;
  const expected = Buffer.from(key.secretHash, 'hex');
  if (!timingSafeEqual(Buffer.from(sha256(presented), 'hex'), expected)) return null;
  if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
    key.lastUsedAt = new Date();
    await manager.update(ApiKey, { id: key.id }, { lastUsedAt: key.lastUsedAt });
  }
  return { partner: key.partner, key };
}
