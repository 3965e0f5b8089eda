import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where things are, from the sources (bench/common/) and from the build (dist/bench/common/) alike. */
export const REPO_ROOT = packageRoot(__dirname);
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** A compiled script, by its source path relative to the repository (e.g. 'bench/servers/node-http-server'). */
export function compiledScript(sourcePath: string): string {
  return path.join(DIST_DIR, `${sourcePath}.js`);
}

function packageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}
