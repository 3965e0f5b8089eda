/** The states of Triton's repository index. */
export type ModelState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

/** One row of the repository index: a model version and where it stands. */
export interface IndexRow {
  name: string;
  /** Numeric version string; '' for a model found in a repository and never loaded. */
  version: string;
  /** '' for a model found in a repository and never loaded (Triton leaves it empty too). */
  state: ModelState | '';
  /** Why it is not READY (the load error, "unloaded"); '' when there is nothing to say. */
  reason: string;
  /**
   * Whether the server is meant to serve this version: true while READY or LOADING and after a
   * failed load; false once it is unloading or unloaded, and for a model never loaded.
   * Server readiness requires every expected version to be READY.
   */
  expected: boolean;
}

/** Numeric order of version strings ("10" after "9"). */
export function compareVersions(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}
