/**
 * The whole native surface, declared in one place; nothing else loads the `.node` file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ProtonError } from './errors';
import type { InferOutputs, ModelMetadata, ModelStats } from './model-types';
import type { Tensor } from './protocol/tensor';

/** Load options as the addon reads them (already validated in TS). */
export interface NativeLoadOptions {
  intraOpNumThreads: number;
  interOpNumThreads: number;
  /** ORT GraphOptimizationLevel: 0 disabled, 1 basic, 2 extended, 99 all. */
  graphOptimizationLevel: 0 | 1 | 2 | 99;
  /** ORT ExecutionMode: 0 sequential, 1 parallel. */
  executionMode: 0 | 1;
  queueCapacity: number;
  maxBatchSize: number;
  preferredBatchSizes: number[];
  maxQueueDelayUs: number;
  instances: number;
  holdUntilQueued: number;
}

export interface NativeModel {
  /**
   * Queues one inference. `datas` and `dims` follow the model's input order (`datas` is made for
   * this call and referenced by the addon until the job settles: its buffers are read in place);
   * `outputIndices` selects outputs (null: all); `timeoutMs` 0 means none; `cancelFlag[0]` set
   * non-zero drops the job if it has not started. Throws UNAVAILABLE when closed,
   * RESOURCE_EXHAUSTED when the queue is full.
   */
  infer(
    datas: ReadonlyArray<Tensor['data']>,
    dims: ReadonlyArray<readonly number[]>,
    outputIndices: readonly number[] | null,
    timeoutMs: number,
    cancelFlag: Int32Array | undefined,
  ): Promise<InferOutputs>;
  /** Stops accepting; resolves once every accepted job has settled and the threads are joined. */
  close(): Promise<void>;
  stats(): ModelStats;
  metadata(): ModelMetadata;
}

export interface NativeBinding {
  loadModel(modelPath: string, options: NativeLoadOptions): Promise<NativeModel>;
  setErrorClass(errorClass: typeof ProtonError): void;
  ortVersion(): string;
  /** The ONNX Runtime C API version the addon was built against. */
  apiVersion: number;
}

function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find Proton's package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function loadBinding(): NativeBinding {
  // The leak check (test/leak/run.sh) points this at a sanitizer build; nothing else sets it.
  const file = process.env.PROTON_NATIVE_ADDON ?? path.join(packageRoot(), 'build', 'Release', 'proton_native.node');
  if (!fs.existsSync(file)) {
    throw new Error(`Proton's native addon is missing (${file}): run \`npm install\` or \`npm run build\` to compile it.`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const binding = require(file) as NativeBinding;
  binding.setErrorClass(ProtonError);
  return binding;
}

export const native: NativeBinding = loadBinding();
