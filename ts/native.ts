/**
 * The whole native surface, declared in one place; nothing else loads the `.node` file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ProtonError } from './errors';
import type { InferOutputs, ModelMetadata, ModelStatistics, TimedInferResult } from './model-types';
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
  /** Test hook: creating the thread of this instance index fails (-1: never). */
  testFailThreadStart: number;
  /** Test hook: settling the job with this index (0-based, in settle order) throws (-1: never). */
  testThrowOnSettle: number;
}

/** ONNX Runtime log severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
export type OrtLogSeverity = 0 | 1 | 2 | 3 | 4;

/** Receives ONNX Runtime's own log records on the JS thread (see `setLogSink`). */
export type OrtLogSink = (
  severity: OrtLogSeverity,
  category: string,
  logid: string,
  codeLocation: string,
  message: string,
) => void;

export interface NativeModel {
  /**
   * Queues one inference. `datas` and `dims` follow the model's input order (`datas` is made for
   * this call and referenced by the addon until the job settles: its buffers are read in place);
   * `outputIndices` selects outputs (null: all); `timeoutMs` 0 means none; `cancelFlag[0]` set
   * non-zero drops the job if it has not started. Throws UNAVAILABLE when closed,
   * RESOURCE_EXHAUSTED when the queue is full. With `withTiming` true the promise resolves to
   * `{outputs, timing}` instead of the outputs. With `deferWake` true a sleeping model thread is
   * not woken for this job: the caller must call `wake()` soon (before yielding to I/O).
   */
  infer(
    datas: ReadonlyArray<Tensor['data']>,
    dims: ReadonlyArray<readonly number[]>,
    outputIndices: readonly number[] | null,
    timeoutMs: number,
    cancelFlag: Int32Array | undefined,
    withTiming?: false,
    deferWake?: boolean,
  ): Promise<InferOutputs>;
  infer(
    datas: ReadonlyArray<Tensor['data']>,
    dims: ReadonlyArray<readonly number[]>,
    outputIndices: readonly number[] | null,
    timeoutMs: number,
    cancelFlag: Int32Array | undefined,
    withTiming: true,
    deferWake?: boolean,
  ): Promise<TimedInferResult>;
  /** Wakes a sleeping model thread for the jobs queued with `deferWake` (a no-op once closed). */
  wake(): void;
  /**
   * Stops accepting; resolves once every accepted job has settled and the threads are joined.
   * The session and the model's other native memory are freed by then: afterwards `infer` and
   * `metadata` throw UNAVAILABLE and `stats` answers the final figures.
   */
  close(): Promise<void>;
  stats(): ModelStatistics;
  metadata(): ModelMetadata;
}

export interface NativeBinding {
  loadModel(modelPath: string, options: NativeLoadOptions): Promise<NativeModel>;
  /**
   * Stops every model of this environment (queued jobs fail unrun) and joins their threads,
   * waiting for loads and executions in progress; later loads and inferences throw UNAVAILABLE.
   * Called on the process 'exit' event: `process.exit()` runs no addon cleanup, and a thread still
   * inside ONNX Runtime while exit() destroys ONNX Runtime's static objects crashes the process.
   */
  shutdown(): void;
  setErrorClass(errorClass: typeof ProtonError): void;
  ortVersion(): string;
  /**
   * Routes ONNX Runtime's log (process-wide, every model) to `sink`, called on the JS thread;
   * null stops it. Records wait in a bounded buffer (1024): beyond it they are dropped and
   * counted. Until a sink is set records are dropped, so ONNX Runtime never writes to stderr.
   * The sink never keeps the process alive. One sink per process: the last call wins.
   */
  setLogSink(sink: OrtLogSink | null): void;
  /** The minimum severity ONNX Runtime logs (default 2, warning). */
  setLogSeverity(severity: OrtLogSeverity): void;
  /** Log records dropped so far (no sink set, buffer full, or the sink threw). */
  droppedLogRecords(): number;
  /**
   * Makes V8 start a full garbage collection soon (incremental marking; a synchronous collection
   * only when V8 cannot mark incrementally), so that buffers of finished requests are freed without
   * waiting for V8's own schedule. A hint: the collection may come later, or not at all on a V8
   * that reads external memory differently.
   */
  requestGarbageCollection(): void;
  /**
   * Returns the C heap's free pages to the kernel: glibc's `malloc_trim(0)`, every arena, on a
   * libuv thread-pool thread (never the JS thread). Resolves true when memory was returned; false
   * when none was, or off glibc, where it does nothing.
   */
  trimHeap(): Promise<boolean>;
  /** The ONNX Runtime C API version the addon was built against. */
  apiVersion: number;
  /** Upper bounds (ns, ascending) of the buckets of every latency histogram, native and JS alike. */
  latencyBucketBoundsNs: readonly number[];
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
  // 'exit' listeners run inside process.exit() (and at a natural exit) before exit() itself.
  process.on('exit', () => binding.shutdown());
  return binding;
}

export const native: NativeBinding = loadBinding();
