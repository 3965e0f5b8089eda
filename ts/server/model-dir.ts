import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseConfig, type ServerConfig } from './config';

/** KServe's storage initializer leaves a model a few folders deep at most; bound the walk. */
const MAX_DEPTH = 4;
const MAX_ENTRIES = 10_000;

/**
 * KServe's convention, `--model-dir DIR --model-name NAME`: serves the single `.onnx` file found
 * inside DIR (as the storage initializer leaves it in `/mnt/models`) under NAME.
 * @throws ConfigError when DIR cannot be read, or holds no `.onnx` file or more than one
 */
export function modelDirConfig(dir: string, name: string): ServerConfig {
  const source = `--model-dir ${dir}`;
  const found: string[] = [];
  let seen = 0;
  const walk = (folder: string, depth: number): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (++seen > MAX_ENTRIES) throw new ConfigError(source, [`more than ${MAX_ENTRIES} entries: not a model folder`]);
      const full = path.join(folder, entry.name);
      if (entry.isFile() && entry.name.endsWith('.onnx')) found.push(full);
      else if (entry.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
    }
  };
  try {
    walk(path.resolve(dir), 0);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(source, [`cannot read the folder: ${(error as Error).message}`]);
  }
  if (found.length === 0) throw new ConfigError(source, ['no .onnx file inside']);
  if (found.length > 1) {
    const names = found.map((file) => path.relative(dir, file)).sort();
    throw new ConfigError(source, [`more than one .onnx file inside (${names.join(', ')}): expected exactly one`]);
  }
  return parseConfig({ models: [{ name, path: found[0] }] }, dir, source);
}
