import { ProtonError } from '../errors';
import type { IndexRow } from './model-state';
import type { ModelRegistry } from './model-registry';
import type { ModelRepository } from './model-repository';

/** One value of a load/unload request's `parameters`, whichever transport carried it. */
export type ControlParameter = string | boolean | number | bigint | Uint8Array;

/** What the repository extension's handlers need: the registry, and the repository if there is one. */
export interface RepositoryControl {
  readonly registry: ModelRegistry;
  readonly repository: ModelRepository | undefined;
}

/**
 * Triton's repository index: with a repository, every version it knows and every model found in
 * it; without one (YAML models only), the registry's versions. `ready` keeps only READY rows.
 */
export function repositoryIndex(control: RepositoryControl, ready: boolean): IndexRow[] {
  if (control.repository !== undefined) return control.repository.index({ ready });
  const rows = control.registry.index();
  return ready ? rows.filter((row) => row.state === 'READY') : rows;
}

/**
 * Refuses a load/unload request without the `--repository-token` (checked before anything else,
 * so an unauthenticated client learns nothing about the models).
 * @throws ProtonError UNAUTHENTICATED
 */
export function requireAuthorized(control: RepositoryControl, authorization: string | undefined): void {
  if (control.repository !== undefined && !control.repository.authorize(authorization)) {
    throw new ProtonError('UNAUTHENTICATED', 'model load and unload need Authorization: Bearer <the --repository-token>');
  }
}

/**
 * A load request: loads or reloads `name`, with `parameters.config` (a ModelConfig in JSON) replacing
 * its config.pbtxt. Model files in the request (`file:<version>/<name>`) are not supported.
 */
export async function loadFromRequest(
  control: RepositoryControl,
  name: string,
  parameters: Readonly<Record<string, ControlParameter>>,
): Promise<void> {
  const repository = requireRepository(control, 'load');
  let config: string | undefined;
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'config') {
      if (typeof value !== 'string') throw new ProtonError('INVALID_ARGUMENT', 'parameters.config must be a string holding a ModelConfig in JSON');
      config = value;
    } else if (key.startsWith('file:')) {
      throw new ProtonError('INVALID_ARGUMENT', `parameters.${key}: model files in a load request are not supported; put them in the repository`);
    } else {
      throw new ProtonError('INVALID_ARGUMENT', `parameters.${key}: unknown load parameter (supported: config)`);
    }
  }
  await repository.load(name, config === undefined ? {} : { config });
}

/** An unload request; `unload_dependents` is accepted (Proton has no ensembles: nothing depends on a model). */
export async function unloadFromRequest(
  control: RepositoryControl,
  name: string,
  parameters: Readonly<Record<string, ControlParameter>>,
): Promise<void> {
  const repository = requireRepository(control, 'unload');
  for (const [key, value] of Object.entries(parameters)) {
    if (key !== 'unload_dependents') throw new ProtonError('INVALID_ARGUMENT', `parameters.${key}: unknown unload parameter (supported: unload_dependents)`);
    if (typeof value !== 'boolean') throw new ProtonError('INVALID_ARGUMENT', 'parameters.unload_dependents must be a boolean');
  }
  await repository.unload(name);
}

function requireRepository(control: RepositoryControl, what: string): ModelRepository {
  if (control.repository === undefined) {
    throw new ProtonError('UNAVAILABLE', `model ${what} needs a model repository (--model-repository DIR --model-control-mode explicit)`);
  }
  return control.repository;
}
