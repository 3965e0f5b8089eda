import type { ModelStatistics } from '../../model-types';
import { modelStatistics } from '../model-capabilities';
import type { ModelRegistry } from '../model-registry';
import { servedVersions } from '../statistics-targets';

/** One served version's statistics as read for one scrape. */
export interface VersionSnapshot {
  readonly labels: { model: string; version: string };
  readonly stats: ModelStatistics;
}

/**
 * Reads every served version's statistics once per scrape, however many families use them:
 * prom-client asks every family in the same synchronous pass, so the snapshot lives until the
 * next macrotask. Versions reporting no phase statistics are left out.
 */
export function scrapeSnapshot(registry: ModelRegistry): () => VersionSnapshot[] {
  let cached: VersionSnapshot[] | undefined;
  return () => {
    if (cached !== undefined) return cached;
    const snapshot: VersionSnapshot[] = [];
    for (const served of servedVersions(registry)) {
      try {
        snapshot.push({ labels: { model: served.name, version: served.version }, stats: modelStatistics(served.model) });
      } catch {
        // A wrapper without phase statistics: nothing to report for it.
      }
    }
    cached = snapshot;
    setImmediate(() => {
      cached = undefined;
    });
    return snapshot;
  };
}
