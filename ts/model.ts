import { ProtonError } from './errors';
import { orderInputs, outputIndices, type OrderedInputs } from './input-validation';
import { resolveLoadOptions } from './model-options';
import type {
  InferInputs,
  InferOptions,
  InferOutputs,
  ModelLoadOptions,
  ModelMetadata,
  ModelStats,
} from './model-types';
import { native, type NativeLoadOptions, type NativeModel } from './native';
import { isTensorType } from './protocol/datatypes';

/**
 * An ONNX model served by its own native thread(s). `infer` only validates and enqueues on the
 * JS thread; ONNX Runtime runs on the model's thread and the promise settles on completion.
 */
export class Model {
  /** Inputs and outputs with element types and shapes (dynamic dimensions as names or -1). */
  readonly metadata: ModelMetadata;
  /** The file the model was loaded from. */
  readonly path: string;

  private readonly nativeModel: NativeModel;
  private readonly options: NativeLoadOptions;
  private closing: Promise<void> | undefined;

  private constructor(nativeModel: NativeModel, path: string, options: NativeLoadOptions) {
    this.nativeModel = nativeModel;
    this.path = path;
    this.options = options;
    this.metadata = nativeModel.metadata();
  }

  /**
   * Loads a model on a new native thread. Rejects with a ProtonError carrying ONNX Runtime's
   * message when the file is missing (NOT_FOUND) or not a valid model (INVALID_ARGUMENT).
   */
  static async load(path: string, options?: ModelLoadOptions): Promise<Model> {
    if (typeof path !== 'string' || path.length === 0) {
      throw new ProtonError('INVALID_ARGUMENT', 'Model.load: path must be a non-empty string');
    }
    const resolved = resolveLoadOptions(options);
    const nativeModel = await native.loadModel(path, resolved);
    const model = new Model(nativeModel, path, resolved);
    const unsupported = [...model.metadata.inputs, ...model.metadata.outputs].find((t) => !isTensorType(t.type));
    if (unsupported) {
      await nativeModel.close();
      throw new ProtonError(
        'INVALID_ARGUMENT',
        `${path}: '${unsupported.name}' is not a tensor of a supported element type; Proton serves tensors of numeric, bool and string types`,
      );
    }
    return model;
  }

  /** False once `close()` was called. */
  get ready(): boolean {
    return this.closing === undefined;
  }

  /** The largest batch the worker forms; 0 when dynamic batching is off. */
  get maxBatchSize(): number {
    return this.options.maxBatchSize;
  }

  /**
   * Runs the model on `inputs` (tensors by input name) and resolves with the outputs by name.
   * Numeric input buffers are read in place by the native thread: do not modify them until the
   * promise settles. Rejects with INVALID_ARGUMENT (bad inputs), RESOURCE_EXHAUSTED (queue full),
   * UNAVAILABLE (closed, or timed out in queue), CANCELLED (signal aborted first) or INTERNAL.
   */
  infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    try {
      if (this.closing !== undefined) throw new ProtonError('UNAVAILABLE', 'the model is closed');
      const ordered = orderInputs(this.metadata, inputs, this.options.maxBatchSize);
      const outputs = outputIndices(this.metadata, options?.outputs);
      const timeoutMs = options?.timeoutMs ?? 0;
      if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
        throw new ProtonError('INVALID_ARGUMENT', `timeoutMs must be a non-negative number, received ${String(timeoutMs)}`);
      }
      const signal = options?.signal;
      if (signal === undefined) {
        return this.nativeModel.infer(ordered.datas, ordered.dims, outputs, timeoutMs, undefined);
      }
      return this.inferCancellable(ordered, outputs, timeoutMs, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private inferCancellable(
    ordered: OrderedInputs,
    outputs: number[] | null,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<InferOutputs> {
    if (signal.aborted) {
      return Promise.reject(new ProtonError('CANCELLED', 'the request was cancelled before it was queued'));
    }
    // The native thread polls this flag before running the job.
    const flag = new Int32Array(1);
    const onAbort = (): void => {
      Atomics.store(flag, 0, 1);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const removeListener = (): void => signal.removeEventListener('abort', onAbort);
    const result = this.nativeModel.infer(ordered.datas, ordered.dims, outputs, timeoutMs, flag);
    result.then(removeListener, removeListener);
    return result;
  }

  /** Batching and execution counters of this model. */
  stats(): ModelStats {
    return this.nativeModel.stats();
  }

  /**
   * Stops accepting requests, lets every accepted request finish, then joins the model's threads
   * and frees the session. Safe to call more than once; later calls return the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.nativeModel.close();
    return this.closing;
  }
}
