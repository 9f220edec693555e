import type { DataSource } from 'typeorm';

/**
 * How far a process may trust what it cached of the configuration (API keys, rules, campaigns,
 * settings): `notified` while a listener hears every committed change (cache until told),
 * `interrupted` while that listener is reconnecting (cache nothing: a change could go unheard),
 * `unwatched` when no listener was ever started (cache for a few seconds, as before listeners).
 */
export type Freshness = 'notified' | 'interrupted' | 'unwatched';

interface Watch {
  freshness: Freshness;
  /** Bumped by every change heard or forgotten: a value read under an older generation is never stored. */
  generation: number;
}

const watches = new WeakMap<DataSource, Watch>();

function watchOf(dataSource: DataSource): Watch {
  let watch = watches.get(dataSource);
  if (!watch) watches.set(dataSource, (watch = { freshness: 'unwatched', generation: 0 }));
  return watch;
}

/** How long a value cached without a listener stays good: back-office changes apply within this delay. */
export const unwatchedTtlMs = 5_000;

export const freshnessOf = (dataSource: DataSource): Freshness => watchOf(dataSource).freshness;

export const generationOf = (dataSource: DataSource): number => watchOf(dataSource).generation;

/** Something cached may be stale from now on: every cache of this data source reads again. */
export function configurationChanged(dataSource: DataSource): void {
  watchOf(dataSource).generation++;
}

/** The listener's state; any change of it forgets what was cached, since changes may have gone unheard. */
export function setFreshness(dataSource: DataSource, freshness: Freshness): void {
  const watch = watchOf(dataSource);
  watch.freshness = freshness;
  watch.generation++;
}

interface Cached<T> {
  value: T;
  generation: number;
  loadedAt: number;
}

/** Whether `cached` may still be served under the data source's freshness. */
function stillFresh<T>(dataSource: DataSource, cached: Cached<T> | undefined, ttlMs = unwatchedTtlMs): cached is Cached<T> {
  if (!cached) return false;
  const watch = watchOf(dataSource);
  if (cached.generation !== watch.generation) return false;
  if (watch.freshness === 'notified') return true;
  return watch.freshness === 'unwatched' && Date.now() - cached.loadedAt < ttlMs;
}

/** Enough for every key and partner of a large coalition; past it the cache starts over (unknown keys cannot fill memory). */
const maxEntries = 10_000;

/**
 * A cache of configuration read through by key, per data source: `load` runs when nothing fresh is
 * cached, and what it read is kept only if no change was heard while it read and the freshness
 * allows caching. `ttlMs` 0 caches only while a listener hears changes.
 */
export class ConfigurationCache<T> {
  private readonly byDataSource = new WeakMap<DataSource, Map<string, Cached<T>>>();

  constructor(private readonly ttlMs = unwatchedTtlMs) {}

  async read(dataSource: DataSource, key: string, load: () => Promise<T>): Promise<T> {
    let entries = this.byDataSource.get(dataSource);
    if (!entries) this.byDataSource.set(dataSource, (entries = new Map()));
    const cached = entries.get(key);
    if (stillFresh(dataSource, cached, this.ttlMs)) return cached.value;
    const generation = generationOf(dataSource);
    const loadedAt = Date.now();
    const value = await load();
    const freshness = freshnessOf(dataSource);
    const cacheable = freshness === 'notified' || (freshness === 'unwatched' && this.ttlMs > 0);
    if (!cacheable || generation !== generationOf(dataSource)) {
      entries.delete(key);
      return value;
    }
    if (entries.size >= maxEntries) entries.clear();
    entries.set(key, { value, generation, loadedAt });
    return value;
  }
}
