import * as path from 'node:path';

import { ProtonError } from '../errors';
import type { ModelConfig } from '../gen/model_config_pb';
import { parseConfigJson, parseConfigText } from './config-text';
import type { ConfigSource } from './config-source';
import { compareVersions, type IndexRow } from './model-state';
import type { ModelRegistry } from './model-registry';
import { DEFAULT_MODEL_FILENAME, fileFingerprint, findModelRoot, listModelNames, readModelFolder, versionModelFile } from './repository-layout';
import { servedConfig } from './served-config';
import { checkControlToken } from './control-token';
import { loadVersion } from './version-loader';
import { selectVersions } from './version-policy';

/** Triton's model control modes. */
export type ModelControlMode = 'none' | 'poll' | 'explicit';

export const MODEL_CONTROL_MODES: readonly ModelControlMode[] = ['none', 'poll', 'explicit'];

/** Triton's default `--repository-poll-secs`. */
export const DEFAULT_POLL_SECS = 15;

interface RepositoryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export interface RepositoryOptions {
  /** Repository roots (`--model-repository`, repeatable); a model name must be in exactly one. */
  readonly roots: readonly string[];
  /** Default 'none': load everything at start, refuse load/unload requests. */
  readonly controlMode?: ModelControlMode;
  /** Explicit mode: the models loaded at start (`--load-model`); `['*']` loads all. */
  readonly loadModels?: readonly string[];
  /** Poll mode: seconds between scans (`--repository-poll-secs`). */
  readonly pollSecs?: number;
  /** `--repository-token`: load and unload requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /**
   * Served name -> model folder, for a folder served under another name (`--model-dir` with
   * `--model-name`); the folder's own name is then not served.
   */
  readonly aliases?: Readonly<Record<string, string>>;
  readonly logger?: RepositoryLogger;
}

/** `parameters` of a load request. */
export interface LoadRequest {
  /** A ModelConfig in JSON that replaces the model's config.pbtxt for this load. */
  readonly config?: string;
}

/** What `start` loaded and what failed (failed models stay UNAVAILABLE with the reason). */
export interface StartReport {
  readonly loaded: string[];
  readonly failed: Array<{ name: string; reason: string }>;
}

/** What a model was last loaded from, so a poll can tell whether anything changed. */
interface LoadedFrom {
  readonly configKey: string;
  readonly files: ReadonlyMap<number, string>;
}

/**
 * Triton-layout model repositories feeding a `ModelRegistry`: initial loading per control mode,
 * explicit load (with an optional config override) and unload, and polling for changes.
 * Operations on one model name run one at a time, in call order.
 */
export class ModelRepository {
  readonly controlMode: ModelControlMode;
  private readonly roots: string[];
  private readonly options: RepositoryOptions;
  private readonly loadedFrom = new Map<string, LoadedFrom>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    readonly registry: ModelRegistry,
    options: RepositoryOptions,
  ) {
    if (options.roots.length === 0) throw new ProtonError('INVALID_ARGUMENT', 'no model repository given');
    this.roots = options.roots.map((root) => path.resolve(root));
    this.controlMode = options.controlMode ?? 'none';
    this.options = options;
    const wanted = options.loadModels ?? [];
    if (wanted.includes('*') && wanted.length > 1) {
      throw new ProtonError('INVALID_ARGUMENT', "--load-model '*' must be the only --load-model");
    }
    if (wanted.length > 0 && this.controlMode !== 'explicit') {
      throw new ProtonError('INVALID_ARGUMENT', '--load-model needs --model-control-mode explicit');
    }
  }

  /** Loads the models the control mode asks for; in poll mode, starts polling. */
  async start(): Promise<StartReport> {
    const wanted = this.options.loadModels ?? [];
    const names = this.controlMode !== 'explicit' || wanted.includes('*') ? this.modelNames() : [...wanted];
    const report: StartReport = { loaded: [], failed: [] };
    for (const name of names) {
      try {
        await this.serialized(name, () => this.loadModel(name, undefined, true));
        report.loaded.push(name);
      } catch (error) {
        report.failed.push({ name, reason: (error as Error).message });
      }
    }
    if (this.controlMode === 'poll') {
      const secs = this.options.pollSecs ?? DEFAULT_POLL_SECS;
      this.timer = setInterval(() => void this.poll(), Math.max(1, secs) * 1000);
      this.timer.unref();
    }
    return report;
  }

  /**
   * Loads or reloads every version its policy selects (explicit mode only). A version already
   * serving keeps serving until its replacement is loaded and warmed up; if that fails, the old
   * one stays and this rejects with the reason.
   * @throws ProtonError UNAVAILABLE outside explicit mode; INVALID_ARGUMENT/NOT_FOUND for bad input
   */
  async load(name: string, request: LoadRequest = {}): Promise<void> {
    this.requireExplicit('load');
    return await this.serialized(name, () => this.loadModel(name, request.config, true));
  }

  /**
   * Unloads every version (explicit mode only): new requests fail with UNAVAILABLE at once,
   * accepted ones finish, then the sessions close. Resolves when they are closed.
   */
  async unload(name: string): Promise<void> {
    this.requireExplicit('unload');
    if (!this.registry.has(name)) throw new ProtonError('NOT_FOUND', `unknown model '${name}'`);
    return await this.serialized(name, () => this.unloadModel(name));
  }

  /**
   * One scan (poll mode runs it every `pollSecs`): new models and versions load, removed ones
   * unload, a changed config or model file reloads. Failures are logged; what served keeps serving.
   */
  poll(): Promise<void> {
    this.polling ??= this.scan().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /**
   * Whether a load/unload request may proceed: true without a token, else only for
   * `Authorization: Bearer <token>` (the HTTP header or the gRPC `authorization` metadata).
   */
  authorize(authorization: string | undefined): boolean {
    return checkControlToken(this.options.token, authorization);
  }

  /** True when load/unload requests can change anything: explicit mode without a token. */
  get openToAnyone(): boolean {
    return this.controlMode === 'explicit' && !this.options.token;
  }

  /** Triton's repository index: every version the registry knows, and models never loaded. */
  index(filter: { ready?: boolean } = {}): IndexRow[] {
    const rows = this.registry.index();
    const known = new Set(rows.map((row) => row.name));
    for (const name of this.modelNames()) if (!known.has(name)) rows.push({ name, version: '', state: '', reason: '', expected: false });
    rows.sort((a, b) => a.name.localeCompare(b.name) || compareVersions(a.version, b.version));
    return filter.ready ? rows.filter((row) => row.state === 'READY') : rows;
  }

  /** The effective ModelConfig of a served version (without one: the default version). */
  config(name: string, version?: string): ModelConfig {
    return servedConfig(this.registry, name, version);
  }

  /** Stops polling and waits for a scan in progress. Models stay loaded: close the registry for that. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  private modelNames(): string[] {
    const served = new Map(Object.entries(this.options.aliases ?? {}).map(([name, folder]) => [folder, name]));
    return [...new Set(this.roots.flatMap((root) => listModelNames(root)).map((folder) => served.get(folder) ?? folder))].sort();
  }

  /** The folder a served name is read from; NOT_FOUND for a folder served under an alias. */
  private folderOf(name: string): string {
    const aliases = this.options.aliases ?? {};
    if (Object.hasOwn(aliases, name)) return aliases[name]!;
    if (Object.values(aliases).includes(name)) throw new ProtonError('NOT_FOUND', `no model '${name}' in the model repository (its folder is served as '${Object.keys(aliases).find((key) => aliases[key] === name)}')`);
    return name;
  }

  private requireExplicit(what: string): void {
    if (this.controlMode !== 'explicit') {
      throw new ProtonError('UNAVAILABLE', `explicit model ${what} is not allowed in model control mode '${this.controlMode}' (use --model-control-mode explicit)`);
    }
  }

  /** Runs `task` after every earlier operation on `name` settled. */
  private serialized<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.queues.set(name, tail);
    void tail.then(() => {
      if (this.queues.get(name) === tail) this.queues.delete(name);
    });
    return next;
  }

  /** `force` reloads versions whose files did not change (explicit loads); polls pass false. */
  private async loadModel(name: string, override: string | undefined, force: boolean): Promise<void> {
    const folderName = this.folderOf(name);
    const root = findModelRoot(this.roots, folderName);
    const folder = readModelFolder(root, folderName);
    let config: ModelConfig | undefined;
    let source: ConfigSource;
    if (override !== undefined) {
      source = { file: `load request for '${name}': parameters.config` };
      config = parseConfigJson(override, source.file);
    } else if (folder.config !== undefined) {
      source = folder.config;
      config = parseConfigText(folder.config.text, folder.config.file);
    } else {
      source = { file: path.join(folder.dir, '(auto-completed configuration)') };
    }
    const { selected, missing } = selectVersions(config?.versionPolicy, folder.versions, source);
    if (selected.length === 0 && missing.length === 0) {
      throw new ProtonError('NOT_FOUND', `model '${name}' has no version folder (${folder.dir}/<number>/)`);
    }
    const configKey = override !== undefined ? `override:${override}` : (folder.config?.text ?? '');
    const previous = this.loadedFrom.get(name);
    const files = new Map<number, string>();
    const errors: Error[] = [];
    for (const version of selected) {
      const label = String(version);
      try {
        const file = versionModelFile(folder, version, config?.defaultModelFilename || DEFAULT_MODEL_FILENAME);
        const fingerprint = fileFingerprint(file);
        files.set(version, fingerprint);
        const unchanged = previous?.configKey === configKey && previous.files.get(version) === fingerprint;
        if (!force && unchanged && this.registry.state(name, label)?.state === 'READY') continue;
        this.registry.markLoading(name, label);
        const loaded = await loadVersion({ name, folderName, version, file, config, source, warmupFiles: { root, modelName: folderName } });
        await this.registry.publish(loaded);
        this.options.logger?.info({ model: name, version: label }, 'model version ready');
      } catch (error) {
        files.delete(version);
        this.registry.markFailed(name, label, (error as Error).message);
        errors.push(error as Error);
      }
    }
    for (const version of missing) {
      this.registry.markFailed(name, String(version), `version ${version} named by version_policy has no folder`);
    }
    const keep = new Set([...selected, ...missing].map(String));
    for (const row of this.registry.index()) {
      if (row.name === name && !keep.has(row.version) && row.state !== 'UNAVAILABLE') {
        await this.registry.retire(name, row.version, 'unloaded: no longer selected (version folder removed or version policy changed)');
      }
    }
    this.loadedFrom.set(name, { configKey, files: previous && errors.length > 0 ? mergeKept(previous.files, files) : files });
    if (errors.length > 0) throw errors[0];
  }

  private async unloadModel(name: string): Promise<void> {
    for (const row of this.registry.index()) {
      if (row.name === name && (row.state === 'READY' || row.state === 'LOADING' || row.expected)) await this.registry.retire(name, row.version);
    }
    this.loadedFrom.delete(name);
  }

  private async scan(): Promise<void> {
    let names: string[];
    try {
      names = this.modelNames();
    } catch (error) {
      this.options.logger?.warn({ error: (error as Error).message }, 'model repository poll failed');
      return;
    }
    for (const name of [...this.loadedFrom.keys()]) {
      if (names.includes(name)) continue;
      await this.serialized(name, async () => {
        await this.unloadModel(name);
        this.registry.forget(name);
      });
      this.options.logger?.info({ model: name }, 'model removed from the repository: unloaded');
    }
    for (const name of names) {
      try {
        await this.serialized(name, () => this.loadModel(name, undefined, false));
      } catch (error) {
        this.options.logger?.warn({ model: name, error: (error as Error).message }, 'model reload failed; the loaded versions keep serving');
      }
    }
  }
}

/** After a partly failed reload, the versions still serving keep their old fingerprints. */
function mergeKept(old: ReadonlyMap<number, string>, fresh: Map<number, string>): Map<number, string> {
  const merged = new Map(fresh);
  for (const [version, fingerprint] of old) if (!merged.has(version)) merged.set(version, fingerprint);
  return merged;
}
