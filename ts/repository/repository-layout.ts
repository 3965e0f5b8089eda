import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

import { ProtonError } from '../errors';
import { checkComponent, confinedPath } from './path-confinement';
import { MAX_CONFIG_BYTES } from './config-text';

/** The default file name of a version's model, as in Triton's ONNX Runtime backend. */
export const DEFAULT_MODEL_FILENAME = 'model.onnx';

/** `DIR/<model>/` of a Triton-layout repository. */
export interface ModelFolder {
  readonly name: string;
  /** The repository root it was found in. */
  readonly root: string;
  /** Real path of the model folder (inside `root`). */
  readonly dir: string;
  /** Path and text of `config.pbtxt`, when the folder has one. */
  readonly config: { file: string; text: string } | undefined;
  /** Numeric version folders, ascending. */
  readonly versions: number[];
}

const VERSION_FOLDER = /^(0|[1-9][0-9]{0,17})$/;

/** Model folder names in a repository root (hidden entries skipped), sorted. */
export function listModelNames(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    throw new ProtonError('NOT_FOUND', `model repository ${root}: ${(error as Error).message}`);
  }
  return entries
    .filter((entry) => !entry.name.startsWith('.') && (entry.isDirectory() || entry.isSymbolicLink()))
    .map((entry) => entry.name)
    .filter((name) => isFolder(path.join(root, name)))
    .sort();
}

/** The root among `roots` holding model `name`; NOT_FOUND when none, INVALID_ARGUMENT when several do. */
export function findModelRoot(roots: readonly string[], name: string): string {
  checkComponent(name, 'model name');
  const holders = roots.filter((root) => isFolder(path.join(root, name)));
  if (holders.length === 0) throw new ProtonError('NOT_FOUND', `no model '${name}' in the model repository (${roots.join(', ')})`);
  if (holders.length > 1) throw new ProtonError('INVALID_ARGUMENT', `model '${name}' is in several repositories: ${holders.join(', ')}`);
  return holders[0]!;
}

/** Reads `root/<name>/`: its config.pbtxt (if any) and its numeric version folders. */
export function readModelFolder(root: string, name: string): ModelFolder {
  const dir = confinedPath(root, [name], 'model folder');
  let config: ModelFolder['config'];
  const configPath = path.join(dir, 'config.pbtxt');
  if (exists(configPath)) {
    const file = confinedPath(root, [name, 'config.pbtxt'], 'model configuration');
    if (statSync(file).size > MAX_CONFIG_BYTES) {
      throw new ProtonError('INVALID_ARGUMENT', `${configPath}: larger than ${MAX_CONFIG_BYTES} bytes`);
    }
    config = { file: configPath, text: readFileSync(file, 'utf8') };
  }
  const versions = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => VERSION_FOLDER.test(entry.name) && isFolder(path.join(dir, entry.name)))
    .map((entry) => Number(entry.name))
    .sort((a, b) => a - b);
  return { name, root, dir, config, versions };
}

/**
 * The model file of one version, `<model>/<version>/<filename>`, confined to the repository.
 * @throws ProtonError NOT_FOUND when it is missing, INVALID_ARGUMENT when it leads outside
 */
export function versionModelFile(folder: ModelFolder, version: number, filename = DEFAULT_MODEL_FILENAME): string {
  const file = confinedPath(folder.root, [folder.name, String(version), checkComponent(filename, 'default_model_filename')], `model '${folder.name}' version ${version}`);
  if (!statSync(file).isFile()) throw new ProtonError('INVALID_ARGUMENT', `${file} is not a file`);
  return file;
}

/** What poll mode compares: a version changes when its model file is replaced or rewritten. */
export function fileFingerprint(file: string): string {
  const stat = statSync(file);
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
