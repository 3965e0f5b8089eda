import { ProtonError } from '../errors';
import { compareVersions, type IndexRow, type ModelState } from './model-state';
import type { ServedModel } from './served-model';

/** One version's slot. `served` is set while READY or UNLOADING (the old one finishing). */
interface VersionSlot {
  state: ModelState;
  reason: string;
  served: ServedModel | undefined;
  /** See `IndexRow.expected`: false only for versions unloading or unloaded on purpose. */
  expected: boolean;
}

/** Every version of one model name, plus the cached answer to "no version given". */
interface ModelRecord {
  readonly versions: Map<string, VersionSlot>;
  /** The highest READY version, recomputed on every transition so `get` stays a map lookup. */
  latest: ServedModel | undefined;
}

/**
 * The models a server answers for, by name and version, with Triton's states.
 *
 * Lookups (`get`, `list`) see only READY versions. Every transition happens synchronously on the
 * JS thread, so a caller that calls `served.model.infer` in the same turn as `get` always reaches
 * a model that accepts it; once accepted, a request finishes even if the version is replaced or
 * unloaded right after (`Model.close` settles accepted requests first).
 */
export class ModelRegistry {
  private readonly models = new Map<string, ModelRecord>();

  /** Registers a model version that is already loaded (the YAML path and tests). */
  add(served: ServedModel): void {
    const slot = this.models.get(served.name)?.versions.get(served.version);
    if (slot !== undefined && slot.state !== 'UNAVAILABLE') {
      throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}' is configured twice`);
    }
    this.slot(served.name, served.version, { state: 'READY', reason: '', served, expected: true });
  }

  /**
   * The named model: the given version, or without one the highest READY version.
   * NOT_FOUND for an unknown name or a version it never had; UNAVAILABLE for a version (or a
   * model) that exists but is not READY: loading, unloading, unloaded or failed to load.
   */
  get(name: string, version?: string): ServedModel {
    const record = this.models.get(name);
    if (record === undefined) throw new ProtonError('NOT_FOUND', `unknown model '${name}'`);
    if (version === undefined || version === '') {
      if (record.latest !== undefined) return record.latest;
      throw new ProtonError('UNAVAILABLE', `model '${name}' has no ready version (${describe(record)})`);
    }
    const slot = record.versions.get(version);
    if (slot === undefined) {
      const known = [...record.versions.keys()].sort(compareVersions).join(', ');
      throw new ProtonError('NOT_FOUND', `model '${name}' has no version '${version}' (known: ${known})`);
    }
    if (slot.state !== 'READY' || slot.served === undefined) {
      throw new ProtonError('UNAVAILABLE', `model '${name}' version ${version} is ${slot.state}${slot.reason ? `: ${slot.reason}` : ''}`);
    }
    return slot.served;
  }

  /** True when the name is known, whatever the state of its versions. */
  has(name: string): boolean {
    return this.models.has(name);
  }

  /** The version served without a version number, for every model that has a READY one. */
  list(): ServedModel[] {
    const out: ServedModel[] = [];
    for (const record of this.models.values()) if (record.latest !== undefined) out.push(record.latest);
    return out;
  }

  /** Every READY version of `name` (of every model without it), in version order. */
  versions(name?: string): ServedModel[] {
    const names = name === undefined ? [...this.models.keys()] : [name];
    const out: ServedModel[] = [];
    for (const each of names) {
      const record = this.models.get(each);
      if (record === undefined) continue;
      for (const [, slot] of [...record.versions].sort(([a], [b]) => compareVersions(a, b))) {
        if (slot.state === 'READY' && slot.served !== undefined) out.push(slot.served);
      }
    }
    return out;
  }

  /** True when the version (or, without one, some version) is READY and its model accepts requests. */
  isReady(name: string, version?: string): boolean {
    try {
      return this.get(name, version).model.ready;
    } catch {
      return false;
    }
  }

  /** The state of one version; undefined when the registry never heard of it. */
  state(name: string, version: string): { state: ModelState; reason: string } | undefined {
    const slot = this.models.get(name)?.versions.get(version);
    return slot === undefined ? undefined : { state: slot.state, reason: slot.reason };
  }

  /** Every version the registry knows, sorted by name then version. */
  index(): IndexRow[] {
    const rows: IndexRow[] = [];
    for (const [name, record] of this.models) {
      for (const [version, slot] of record.versions) rows.push({ name, version, state: slot.state, reason: slot.reason, expected: slot.expected });
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name) || compareVersions(a.version, b.version));
  }

  /**
   * Marks a version LOADING, unless it is READY: a reload keeps the old one serving (and READY)
   * until `publish` replaces it.
   */
  markLoading(name: string, version: string): void {
    const slot = this.models.get(name)?.versions.get(version);
    if (slot?.state === 'READY') return;
    this.slot(name, version, { state: 'LOADING', reason: '', served: undefined, expected: true });
  }

  /** Records a failed load. A READY version stays READY (the old one keeps serving). */
  markFailed(name: string, version: string, reason: string): void {
    const slot = this.models.get(name)?.versions.get(version);
    if (slot?.state === 'READY') return;
    this.slot(name, version, { state: 'UNAVAILABLE', reason, served: undefined, expected: true });
  }

  /**
   * Switches new requests for this version to `served` at once; the version it replaces (if any)
   * finishes the requests it accepted and closes. Resolves when that close is done.
   */
  async publish(served: ServedModel): Promise<void> {
    const previous = this.models.get(served.name)?.versions.get(served.version)?.served;
    this.slot(served.name, served.version, { state: 'READY', reason: '', served, expected: true });
    if (previous !== undefined && previous !== served) await previous.model.close();
  }

  /**
   * Unloads a version: new requests fail with UNAVAILABLE at once, accepted ones finish, then the
   * session is freed and the version becomes UNAVAILABLE with `reason`.
   */
  async retire(name: string, version: string, reason = 'unloaded'): Promise<void> {
    const slot = this.models.get(name)?.versions.get(version);
    if (slot === undefined) return;
    const served = slot.served;
    if (served === undefined) {
      this.slot(name, version, { state: 'UNAVAILABLE', reason, served: undefined, expected: false });
      return;
    }
    this.slot(name, version, { state: 'UNLOADING', reason: '', served, expected: false });
    try {
      await served.model.close();
    } finally {
      // A reload may have published a new model into this slot meanwhile: leave that one alone.
      if (this.models.get(name)?.versions.get(version)?.served === served) {
        this.slot(name, version, { state: 'UNAVAILABLE', reason, served: undefined, expected: false });
      }
    }
  }

  /** Forgets a model that left the repository; its versions must already be retired. */
  forget(name: string): void {
    const record = this.models.get(name);
    if (record !== undefined && [...record.versions.values()].every((slot) => slot.served === undefined)) {
      this.models.delete(name);
    }
  }

  /** Closes every model; each settles its accepted requests first. */
  async closeAll(): Promise<void> {
    const closing: Array<Promise<void>> = [];
    for (const record of this.models.values()) {
      for (const slot of record.versions.values()) if (slot.served !== undefined) closing.push(slot.served.model.close());
    }
    await Promise.all(closing);
  }

  private slot(name: string, version: string, slot: VersionSlot): void {
    let record = this.models.get(name);
    if (record === undefined) {
      record = { versions: new Map(), latest: undefined };
      this.models.set(name, record);
    }
    record.versions.set(version, slot);
    record.latest = highestReady(record);
  }
}

function highestReady(record: ModelRecord): ServedModel | undefined {
  let best: [string, ServedModel] | undefined;
  for (const [version, slot] of record.versions) {
    if (slot.state !== 'READY' || slot.served === undefined) continue;
    if (best === undefined || compareVersions(version, best[0]) > 0) best = [version, slot.served];
  }
  return best?.[1];
}

function describe(record: ModelRecord): string {
  const parts = [...record.versions]
    .sort(([a], [b]) => compareVersions(a, b))
    .map(([version, slot]) => `${version}: ${slot.state}${slot.reason ? ` ${slot.reason}` : ''}`);
  return parts.length > 0 ? parts.join('; ') : 'no versions';
}
