import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEMO_MODELS_DIR, ensureDemoModels, type DemoModelName } from '../../ts/onnx/demo-models';
import { GraphBuilder } from '../../ts/onnx/model-builder';
import type { TensorType } from '../../ts/protocol/datatypes';

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
