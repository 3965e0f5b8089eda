import type { ModelVersionPolicy } from '../gen/model_config_pb';
import { configIssue, type ConfigSource } from './config-source';

/** The versions a policy serves out of those on disk, and the ones it names that are missing. */
export interface VersionSelection {
  selected: number[];
  /** `specific` versions with no folder: reported as UNAVAILABLE. */
  missing: number[];
}

/**
 * Applies Triton's version policy: `latest { num_versions }` (default: latest 1), `all {}`, or
 * `specific { versions }`.
 */
export function selectVersions(policy: ModelVersionPolicy | undefined, available: readonly number[], source: ConfigSource): VersionSelection {
  const sorted = [...available].sort((a, b) => a - b);
  const choice = policy?.policyChoice;
  switch (choice?.case) {
    case undefined:
      return { selected: sorted.slice(-1), missing: [] };
    case 'latest': {
      const count = choice.value.numVersions;
      if (count < 1) throw configIssue(source, 'version_policy.latest.num_versions', 'must be at least 1');
      return { selected: sorted.slice(-count), missing: [] };
    }
    case 'all':
      return { selected: sorted, missing: [] };
    case 'specific': {
      const wanted = [...new Set(choice.value.versions.map(Number))].sort((a, b) => a - b);
      if (wanted.length === 0) throw configIssue(source, 'version_policy.specific.versions', 'names no version');
      if (wanted.some((v) => !Number.isSafeInteger(v) || v < 0)) {
        throw configIssue(source, 'version_policy.specific.versions', 'versions must be non-negative integers');
      }
      return { selected: wanted.filter((v) => sorted.includes(v)), missing: wanted.filter((v) => !sorted.includes(v)) };
    }
  }
}
