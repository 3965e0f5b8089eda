import path from 'node:path';

/** Where things are, from the compiled toolkit in dist/bench/common/ (the same depth as the sources). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');
export const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');

/** A compiled script, by its source path relative to the repository (e.g. 'bench/servers/node-http-server'). */
export function compiledScript(sourcePath: string): string {
  return path.join(DIST_DIR, `${sourcePath}.js`);
}
