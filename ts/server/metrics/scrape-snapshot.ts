import type { ModelStatistics } from '../../model-types';
import type { ModelRegistry } from '../../repository/model-registry';
import { servedVersions } from '../statistics-targets';

/** One served version's statistics as read for one scrape. */
export interface VersionSnapshot {
  readonly labels: { model: string; version: string };
  readonly stats: ModelStatistics;
}

/**
 * Reads every served version's statistics once per scrape, however many families use them:
 * prom-client asks every family in the same synchronous pass, so the snapshot lives until the
 * next macrotask.
 */
export function scrapeSnapshot(registry: ModelRegistry): () => VersionSnapshot[] {
  let cached: VersionSnapshot[] | undefined;
  return () => {
    if (cached !== undefined) return cached;
    const snapshot: VersionSnapshot[] = [];
    for (const served of servedVersions(registry)) {
      snapshot.push({ labels: { model: served.name, version: served.version }, stats: served.model.stats() });
    }
    cached = snapshot;
    setImmediate(() => {
      cached = undefined;
    });
    return snapshot;
  };
}
