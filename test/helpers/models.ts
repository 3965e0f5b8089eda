import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEMO_MODELS_DIR, ensureDemoModels, type DemoModelName } from '../../ts/onnx/demo-models';
import { GraphBuilder, attr } from '../../ts/onnx/model-builder';
import type { TensorType } from '../../ts/protocol/datatypes';
import type { Tensor } from '../../ts/protocol/tensor';

/** Paths of the demo models (built by the global setup; this only looks them up). */
export function demoModels(): Promise<Record<DemoModelName, string>> {
  return ensureDemoModels(DEMO_MODELS_DIR);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-test-models-'));

/** Writes a model to a scratch folder and returns its path. */
export function writeModel(name: string, bytes: Uint8Array): string {
  const file = path.join(scratch, `${name}.onnx`);
  fs.writeFileSync(file, bytes);
  return file;
}

/** y = Identity(x) for one element type, with a dynamic leading dimension. */
export function identityModel(type: TensorType): string {
  const bytes = new GraphBuilder(`identity_${type}`)
    .addInput('x', type, ['n', 3])
    .addNode('Identity', ['x'], ['y'])
    .addOutput('y', type, ['n', 3])
    .serialize();
  return writeModel(`identity_${type}`, bytes);
}

/** y = x * 2 + 1 (float32) and z = Cast(x) to int64, both over ['n', 'k']: large outputs of two element sizes. */
export function scaleCastModel(name: string): string {
  const bytes = new GraphBuilder('scale_cast')
    .addInput('x', 'float32', ['n', 'k'])
    .addInitializer('two', { type: 'float32', dims: [], data: new Float32Array([2]) })
    .addInitializer('one', { type: 'float32', dims: [], data: new Float32Array([1]) })
    .addNode('Mul', ['x', 'two'], ['doubled'])
    .addNode('Add', ['doubled', 'one'], ['y'])
    .addNode('Cast', ['x'], ['z'], { to: attr.int(7) })
    .addOutput('y', 'float32', ['n', 'k'])
    .addOutput('z', 'int64', ['n', 'k'])
    .serialize();
  return writeModel(name, bytes);
}

/** Inputs of the demo Add model: a = b = [i, i+1, ..., i+15], so sum = 2a. */
export function addRequest(i: number): Record<string, Tensor> {
  const a = Float32Array.from({ length: 16 }, (_, k) => i + k);
  return { a: { type: 'float32', dims: [1, 16], data: a }, b: { type: 'float32', dims: [1, 16], data: a } };
}
