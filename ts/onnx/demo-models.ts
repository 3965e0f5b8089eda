import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { seededRandom } from '../seeded-random';
import { attr, GraphBuilder, uniformValues } from './model-builder';

/** The demo models Proton's tests, examples and benchmarks use; each is written as `<name>.onnx`. */
export const DEMO_MODEL_NAMES = ['add', 'mlp', 'multi_io', 'dynamic_batch', 'squeezenet1.0'] as const;

export type DemoModelName = (typeof DEMO_MODEL_NAMES)[number];

/** The default folder for the demo models: `<repo root>/models` (gitignored). */
export const DEMO_MODELS_DIR = path.join(findPackageRoot(__dirname), 'models');

const BUILDERS: Readonly<Record<DemoModelName, () => Uint8Array>> = {
  add: buildAddModel,
  mlp: buildMlpModel,
  multi_io: buildMultiIoModel,
  dynamic_batch: buildDynamicBatchModel,
  'squeezenet1.0': buildSqueezeNetModel,
};

/**
 * Writes every demo model missing from `dir` and returns the path of each.
 * Files are written under a temporary name and renamed, so a concurrent reader never sees half a model.
 * Existing files are kept as they are: delete them after changing a builder below.
 */
export async function ensureDemoModels(dir: string): Promise<Record<DemoModelName, string>> {
  await mkdir(dir, { recursive: true });
  const paths = {} as Record<DemoModelName, string>;
  for (const name of DEMO_MODEL_NAMES) {
    const file = path.join(dir, `${name}.onnx`);
    if (!existsSync(file)) await writeAtomically(file, BUILDERS[name]());
    paths[name] = file;
  }
  return paths;
}

/** `a` + `b`: the smallest useful model, for measuring per-call overhead. */
export function buildAddModel(): Uint8Array {
  return new GraphBuilder('add')
    .addInput('a', 'float32', [1, 16])
    .addInput('b', 'float32', [1, 16])
    .addNode('Add', ['a', 'b'], ['sum'])
    .addOutput('sum', 'float32', [1, 16])
    .serialize();
}

/** A 256-1024-1024-10 perceptron with Relu between layers and a dynamic batch dimension. */
export function buildMlpModel(): Uint8Array {
  const random = seededRandom(1);
  const builder = new GraphBuilder('mlp').addInput('x', 'float32', ['batch', 256]);
  const layers = [
    { fanIn: 256, fanOut: 1024 },
    { fanIn: 1024, fanOut: 1024 },
    { fanIn: 1024, fanOut: 10 },
  ];
  let current = 'x';
  layers.forEach(({ fanIn, fanOut }, index) => {
    const layer = index + 1;
    const scale = 1 / Math.sqrt(fanIn);
    builder.addInitializer(`w${layer}`, { type: 'float32', dims: [fanIn, fanOut], data: uniformValues(random, fanIn * fanOut, scale) });
    builder.addInitializer(`b${layer}`, { type: 'float32', dims: [fanOut], data: uniformValues(random, fanOut, scale) });
    const isLast = index === layers.length - 1;
    const product = isLast ? 'y' : `gemm${layer}`;
    builder.addNode('Gemm', [current, `w${layer}`, `b${layer}`], [product]);
    if (!isLast) {
      current = `relu${layer}`;
      builder.addNode('Relu', [product], [current]);
    }
  });
  return builder.addOutput('y', 'float32', ['batch', 10]).serialize();
}

/** Two inputs and two outputs of different element types: `scaled` = x * float(k), `positive` = k > 0. */
export function buildMultiIoModel(): Uint8Array {
  return new GraphBuilder('multi_io')
    .addInput('x', 'float32', [2, 3])
    .addInput('k', 'int64', [2, 3])
    .addInitializer('zero', { type: 'int64', dims: [], data: new BigInt64Array([0n]) })
    .addNode('Cast', ['k'], ['k_float'], { to: attr.int(1) })
    .addNode('Mul', ['x', 'k_float'], ['scaled'])
    .addNode('Greater', ['k', 'zero'], ['positive'])
    .addOutput('scaled', 'float32', [2, 3])
    .addOutput('positive', 'bool', [2, 3])
    .serialize();
}

/** Sigmoid(x · W + bias) with a dynamic first dimension `N`, for the batching tests. */
export function buildDynamicBatchModel(): Uint8Array {
  const random = seededRandom(2);
  return new GraphBuilder('dynamic_batch')
    .addInput('x', 'float32', ['N', 4])
    .addInitializer('w', { type: 'float32', dims: [4, 3], data: uniformValues(random, 12, 0.5) })
    .addInitializer('bias', { type: 'float32', dims: [3], data: uniformValues(random, 3, 0.5) })
    .addNode('MatMul', ['x', 'w'], ['xw'])
    .addNode('Add', ['xw', 'bias'], ['logits'])
    .addNode('Sigmoid', ['logits'], ['y'])
    .addOutput('y', 'float32', ['N', 3])
    .serialize();
}

/** Squeeze and expand widths of SqueezeNet 1.0's fire modules 2 to 9. */
const FIRE_MODULES = [
  { id: 2, squeeze: 16, expand: 64 },
  { id: 3, squeeze: 16, expand: 64 },
  { id: 4, squeeze: 32, expand: 128 },
  { id: 5, squeeze: 32, expand: 128 },
  { id: 6, squeeze: 48, expand: 192 },
  { id: 7, squeeze: 48, expand: 192 },
  { id: 8, squeeze: 64, expand: 256 },
  { id: 9, squeeze: 64, expand: 256 },
];

/**
 * SqueezeNet 1.0 with the layout of the ONNX zoo's squeezenet1.0-8 (input `data` 1x3x224x224,
 * output `softmaxout_1` 1x1000) and seeded He-initialized weights instead of trained ones.
 */
export function buildSqueezeNetModel(): Uint8Array {
  const random = seededRandom(3);
  const builder = new GraphBuilder('squeezenet1.0').addInput('data', 'float32', [1, 3, 224, 224]);
  const conv = (name: string, input: string, inChannels: number, outChannels: number, kernel: number, stride = 1, pad = 0): string => {
    const fanIn = inChannels * kernel * kernel;
    // He-uniform: variance 2/fan_in keeps Relu activations at a steady scale through the layers.
    const weights = uniformValues(random, outChannels * fanIn, Math.sqrt(6 / fanIn));
    builder.addInitializer(`${name}_w`, { type: 'float32', dims: [outChannels, inChannels, kernel, kernel], data: weights });
    builder.addInitializer(`${name}_b`, { type: 'float32', dims: [outChannels], data: new Float32Array(outChannels) });
    builder.addNode('Conv', [input, `${name}_w`, `${name}_b`], [`${name}_conv`], {
      kernel_shape: attr.ints([kernel, kernel]),
      strides: attr.ints([stride, stride]),
      pads: attr.ints([pad, pad, pad, pad]),
    });
    builder.addNode('Relu', [`${name}_conv`], [`${name}_relu`]);
    return `${name}_relu`;
  };
  // Caffe's pooling rounds up: 109 -> 54 -> 27 -> 13, as in the original network.
  const maxPool = (name: string, input: string): string => {
    builder.addNode('MaxPool', [input], [name], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) });
    return name;
  };

  let current = maxPool('pool1', conv('conv1', 'data', 3, 96, 7, 2));
  let channels = 96;
  for (const { id, squeeze, expand } of FIRE_MODULES) {
    const squeezed = conv(`fire${id}_squeeze1x1`, current, channels, squeeze, 1);
    const expand1x1 = conv(`fire${id}_expand1x1`, squeezed, squeeze, expand, 1);
    const expand3x3 = conv(`fire${id}_expand3x3`, squeezed, squeeze, expand, 3, 1, 1);
    builder.addNode('Concat', [expand1x1, expand3x3], [`fire${id}_concat`], { axis: attr.int(1) });
    current = `fire${id}_concat`;
    channels = 2 * expand;
    if (id === 4 || id === 8) current = maxPool(`pool${id - 1}`, current);
  }
  builder.addNode('Dropout', [current], ['drop9']);
  const classes = conv('conv10', 'drop9', channels, 1000, 1);
  builder
    .addNode('GlobalAveragePool', [classes], ['pool10'])
    .addNode('Flatten', ['pool10'], ['logits'], { axis: attr.int(1) })
    .addNode('Softmax', ['logits'], ['softmaxout_1'], { axis: attr.int(1) })
    .addOutput('softmaxout_1', 'float32', [1, 1000]);
  return builder.serialize();
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The nearest folder at or above `start` holding a package.json: the repo root from `ts/` and from `dist/ts/`. */
function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json found above ${start}`);
    dir = parent;
  }
  return dir;
}
