import { readdirSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { ProtonError } from '../errors';
import { checkComponent } from './path-confinement';
import { listModelNames, readModelFolder } from './repository-layout';

/** KServe's storage initializer leaves a model a few folders deep at most; bound the walk. */
const MAX_DEPTH = 8;
const MAX_ENTRIES = 10_000;

/** What `--model-dir DIR --model-name NAME` serves. */
export type ModelDirPlan =
  /** DIR holds one `.onnx` file (anywhere inside, not in a Triton layout): served as NAME. */
  | { readonly kind: 'file'; readonly name: string; readonly path: string }
  /**
   * DIR is a Triton-layout repository: every model in it is loaded (control mode none). With a
   * single model, that model is served as NAME (`aliases`); with several, under their folder names.
   */
  | { readonly kind: 'repository'; readonly roots: string[]; readonly aliases: Record<string, string> };

/**
 * KServe's convention: `--model-dir DIR --model-name NAME`, DIR being what the storage initializer
 * left in `/mnt/models`. A Triton-layout repository (`DIR/<model>/<version>/...`) is served as one;
 * otherwise DIR must hold exactly one `.onnx` file, at any depth (symbolic links are not followed).
 * @throws ProtonError INVALID_ARGUMENT naming DIR and what is wrong with it
 */
export function resolveModelDir(dir: string, name: string): ModelDirPlan {
  checkComponent(name, '--model-name');
  const where = `--model-dir ${dir}`;
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
  } catch (error) {
    throw new ProtonError('INVALID_ARGUMENT', `${where}: ${(error as Error).message}`);
  }
  const models = listModelNames(root).filter((folder) => readModelFolder(root, folder).versions.length > 0);
  if (models.length > 0) {
    const aliases: Record<string, string> = models.length === 1 && models[0] !== name ? { [name]: models[0]! } : {};
    return { kind: 'repository', roots: [root], aliases };
  }
  const found = findOnnxFiles(root, where);
  if (found.length === 0) throw new ProtonError('INVALID_ARGUMENT', `${where}: no .onnx file inside and no Triton-layout model folder (<model>/<version>/model.onnx)`);
  if (found.length > 1) {
    const names = found.map((file) => path.relative(root, file)).sort();
    throw new ProtonError('INVALID_ARGUMENT', `${where}: more than one .onnx file inside (${names.join(', ')}): expected exactly one, or a Triton-layout repository`);
  }
  return { kind: 'file', name, path: found[0]! };
}

function findOnnxFiles(root: string, where: string): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (folder: string, depth: number): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) throw new ProtonError('INVALID_ARGUMENT', `${where}: more than ${MAX_ENTRIES} entries; not a model folder`);
      const full = path.join(folder, entry.name);
      if (entry.isFile() && entry.name.endsWith('.onnx')) found.push(full);
      else if (entry.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
    }
  };
  walk(root, 0);
  return found;
}
