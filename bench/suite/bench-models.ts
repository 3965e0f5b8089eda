import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../../ts/onnx/demo-models';
import { HEAVY_MODEL } from './cell-plan';

/** The models the suite can measure, by the name the servers serve them under. */
export const BENCH_MODEL_NAMES = ['add', 'mlp', 'squeezenet', HEAVY_MODEL] as const;
export type BenchModelName = (typeof BENCH_MODEL_NAMES)[number];

/** The small models, for the per-request overhead target (the first one measured counts). */
export const SMALL_MODELS: readonly string[] = ['add', 'mlp'];

export interface BenchModel {
  name: BenchModelName;
  path: string;
}

/** Where `npm run export-maskrcnn` writes Mask R-CNN. */
export const MASKRCNN_FILE = path.join(DEMO_MODELS_DIR, 'maskrcnn.onnx');

export const MASKRCNN_MISSING_NOTE =
  `Mask R-CNN was NOT measured: ${path.relative(process.cwd(), MASKRCNN_FILE)} does not exist. ` +
  'Make it once with `apt-get install -y python3-torch python3-torchvision python3-onnx && npm run export-maskrcnn` (about 95 s).';

/** The requested models that can run; notes say what was left out and why. */
export async function resolveBenchModels(names: readonly BenchModelName[]): Promise<{ models: BenchModel[]; notes: string[] }> {
  const demo = await ensureDemoModels(DEMO_MODELS_DIR);
  const files: Record<BenchModelName, string> = { add: demo.add, mlp: demo.mlp, squeezenet: demo['squeezenet1.0'], maskrcnn: MASKRCNN_FILE };
  const models: BenchModel[] = [];
  const notes: string[] = [];
  for (const name of names) {
    if (name === HEAVY_MODEL && !existsSync(MASKRCNN_FILE)) notes.push(MASKRCNN_MISSING_NOTE);
    else models.push({ name, path: files[name] });
  }
  return { models, notes };
}

