import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEMO_MODELS_DIR, ensureDemoModels } from '../../ts/onnx/demo-models';

/**
 * The model catalogue of every benchmark: the names the programs and servers use, where each file
 * comes from, and the fixed float32 inputs of the in-process programs (micro, batching, instances).
 */

export const BENCH_MODEL_NAMES = ['add', 'mlp', 'squeezenet', 'maskrcnn'] as const;
export type BenchModelName = (typeof BENCH_MODEL_NAMES)[number];

/** The tiny model of issue 13's per-request targets (Add, [1,16] + [1,16]). */
export const TINY_MODEL = 'add';
/** The small models, for the per-request overhead targets (the first one measured counts). */
export const SMALL_MODELS: readonly string[] = ['add', 'mlp'];
/**
 * The models whose time-boxed cells wrk and h2load drive: the small ones and SqueezeNet (about
 * 10 ms per inference). A native run ends at its deadline without counting the answers still in
 * flight, which at SqueezeNet's latency costs under 2% of a 2.5 s cell; the node clients' own
 * cost would cost more (a grpc-js client encoding 600 KB requests competes for the two cores).
 */
export const NATIVE_LOAD_MODELS: readonly string[] = [...SMALL_MODELS, 'squeezenet'];
/** The model whose inferences take seconds. */
export const HEAVY_MODEL = 'maskrcnn';

export interface BenchModelFile {
  name: BenchModelName;
  path: string;
}

/** Where `npm run export-maskrcnn` writes Mask R-CNN. */
export const MASKRCNN_FILE = path.join(DEMO_MODELS_DIR, 'maskrcnn.onnx');

export const MASKRCNN_MISSING_NOTE =
  `Mask R-CNN was NOT measured: ${path.relative(process.cwd(), MASKRCNN_FILE)} does not exist. ` +
  'Make it once with `apt-get install -y python3-torch python3-torchvision python3-onnx && npm run export-maskrcnn` (about 95 s).';

/** The files of the requested models that can run (the demo models are written if missing); notes say what was left out. */
export async function resolveBenchModels(names: readonly BenchModelName[]): Promise<{ models: BenchModelFile[]; notes: string[] }> {
  const demo = await ensureDemoModels(DEMO_MODELS_DIR);
  const files: Record<BenchModelName, string> = { add: demo.add, mlp: demo.mlp, squeezenet: demo['squeezenet1.0'], maskrcnn: MASKRCNN_FILE };
  const models: BenchModelFile[] = [];
  const notes: string[] = [];
  for (const name of names) {
    if (name === HEAVY_MODEL && !existsSync(MASKRCNN_FILE)) notes.push(MASKRCNN_MISSING_NOTE);
    else models.push({ name, path: files[name] });
  }
  return { models, notes };
}

/** The models the in-process programs run: each has one fixed float32 input set. */
export const IN_PROCESS_MODEL_NAMES = ['add', 'mlp', 'squeezenet'] as const;
export type InProcessModelName = (typeof IN_PROCESS_MODEL_NAMES)[number];

export interface FixedInput {
  dims: number[];
  data: Float32Array;
}

/** A model with one fixed input set and the output every path returns. */
export interface InProcessModel {
  name: InProcessModelName;
  file: string;
  inputs: Record<string, FixedInput>;
  outputName: string;
  /** The input carrying the batch dimension. */
  batchInput: string;
  /** Whether that dimension is dynamic (SqueezeNet 1.0's is fixed at 1). */
  canBatch: boolean;
}

/** The in-process model `name` with its fixed inputs (batch 1), its file written if missing. */
export async function inProcessModel(name: InProcessModelName): Promise<InProcessModel> {
  const demo = await ensureDemoModels(DEMO_MODELS_DIR);
  switch (name) {
    case 'add':
      return {
        name,
        file: demo.add,
        inputs: { a: { dims: [1, 16], data: seededFloats(16, 1) }, b: { dims: [1, 16], data: seededFloats(16, 2) } },
        outputName: 'sum',
        batchInput: 'a',
        canBatch: false,
      };
    case 'mlp':
      return { name, file: demo.mlp, inputs: { x: { dims: [1, 256], data: seededFloats(256, 3) } }, outputName: 'y', batchInput: 'x', canBatch: true };
    case 'squeezenet':
      return {
        name,
        file: demo['squeezenet1.0'],
        inputs: { data: { dims: [1, 3, 224, 224], data: seededFloats(3 * 224 * 224, 4) } },
        outputName: 'softmaxout_1',
        batchInput: 'data',
        canBatch: false,
      };
  }
}

/** Deterministic values in [-1, 1), the same on every run and every path. */
export function seededFloats(length: number, seed: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = Math.sin(seed * 1000 + i * 0.37);
  return data;
}
