import { ProtonError } from '../errors';
import type { Model } from '../model';

/** A model as the server exposes it. */
export interface ServedModel {
  readonly name: string;
  /** Numeric version string; Proton serves one version per model, "1". */
  readonly version: string;
  readonly model: Model;
}

/** The models a server answers for, by name. */
export class ModelRegistry {
  private readonly models = new Map<string, ServedModel>();

  add(served: ServedModel): void {
    if (this.models.has(served.name)) {
      throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}' is configured twice`);
    }
    this.models.set(served.name, served);
  }

  /** The named model; NOT_FOUND when it is unknown or the version is not served. */
  get(name: string, version?: string): ServedModel {
    const served = this.models.get(name);
    if (!served) throw new ProtonError('NOT_FOUND', `unknown model '${name}'`);
    if (version !== undefined && version !== '' && version !== served.version) {
      throw new ProtonError('NOT_FOUND', `model '${name}' has no version '${version}' (served: ${served.version})`);
    }
    return served;
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  list(): ServedModel[] {
    return [...this.models.values()];
  }

  /** Closes every model; each settles its accepted requests first. */
  async closeAll(): Promise<void> {
    await Promise.all(this.list().map((served) => served.model.close()));
  }
}
