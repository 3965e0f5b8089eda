import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../ts/onnx/demo-models';

const ROOT = path.resolve(__dirname, '..');

/**
 * Vitest global setup, once before any test file runs: builds the demo models, and compiles the
 * sources to dist/ for the tests that run the CLI as a child process (`npm start`, the bin). Type
 * errors are the lint step's business: tsc still emits, and only a missing entry point stops us.
 */
export default async function setup(): Promise<void> {
  await ensureDemoModels(DEMO_MODELS_DIR);
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  const cli = path.join(ROOT, 'dist', 'ts', 'server', 'cli.js');
  if (!existsSync(cli)) throw new Error(`tsc did not produce ${cli}:\n${tsc.stdout}${tsc.stderr}`);
  chmodSync(cli, 0o755); // the bin, as package.json's build scripts leave it (npx runs it directly)
}
