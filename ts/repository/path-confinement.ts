import { realpathSync } from 'node:fs';
import * as path from 'node:path';

import { ProtonError } from '../errors';

const MAX_NAME_LENGTH = 255;

/**
 * Checks a model name (or any single path component from a request or a config): one plain
 * folder name, never empty, '.', '..', absolute, or holding a separator or NUL.
 * @throws ProtonError INVALID_ARGUMENT naming `what`
 */
export function checkComponent(value: string, what: string): string {
  const bad =
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_NAME_LENGTH ||
    value === '.' ||
    value === '..' ||
    /[/\\\0]/.test(value) ||
    path.isAbsolute(value);
  if (bad) {
    throw new ProtonError('INVALID_ARGUMENT', `${what} '${String(value)}' must be a plain name inside the repository (no '/', '..' or absolute path)`);
  }
  return value;
}

/**
 * `root` joined with `components` (each checked with `checkComponent`), after following every
 * symbolic link: refused unless the real path stays inside the real `root`. The path must exist.
 * @throws ProtonError INVALID_ARGUMENT when it leads outside, NOT_FOUND when it does not exist
 */
export function confinedPath(root: string, components: readonly string[], what: string): string {
  for (const component of components) checkComponent(component, what);
  const joined = path.join(root, ...components);
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    throw new ProtonError('NOT_FOUND', `${what}: no such file or folder: ${joined}`);
  }
  const realRoot = realpathSync(root);
  const relative = path.relative(realRoot, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ProtonError('INVALID_ARGUMENT', `${what}: ${joined} leads outside the repository ${root} (to ${real})`);
  }
  return real;
}
