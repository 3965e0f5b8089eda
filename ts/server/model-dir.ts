import { ProtonError } from '../errors';
import { resolveModelDir } from '../repository/model-dir';
import { ConfigError, defaultConfig, parseConfig, type ServerConfig } from './config';

/**
 * KServe's convention, `--model-dir DIR --model-name NAME` (see ts/repository/model-dir.ts): the
 * single `.onnx` file inside DIR served as NAME, or DIR served as a Triton-layout repository.
 * @throws ConfigError when DIR cannot be read or holds no model, or several `.onnx` files outside a Triton layout
 */
export function modelDirConfig(dir: string, name: string): ServerConfig {
  const source = `--model-dir ${dir}`;
  let plan;
  try {
    plan = resolveModelDir(dir, name);
  } catch (error) {
    if (!(error instanceof ProtonError)) throw error;
    throw new ConfigError(source, [error.message.replace(`${source}: `, '')]);
  }
  if (plan.kind === 'file') return parseConfig({ models: [{ name, path: plan.path }] }, dir, source);
  const config = defaultConfig({});
  config.repository = { roots: plan.roots, controlMode: 'none', loadModels: [], aliases: plan.aliases };
  return config;
}
