import { CancelFlag } from './cancel-flag';
import { ProtonError } from './errors';
import { orderInputs, outputIndices, type OrderedInputs } from './input-validation';
import { resolveLoadOptions } from './model-options';
import type {
  InferInputs,
  InferOptions,
  InferOutputs,
  ModelLoadOptions,
  ModelMetadata,
  ModelStatistics,
  TimedInferResult,
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
  /** A job was queued since the last wake-up call, so later jobs in this turn may defer theirs. */
  private wokenThisTurn = false;
  /** A job was queued without waking the model's thread: `wakeDeferred` must wake it. */
  private deferredJobs = false;
  private readonly wakeDeferred = (): void => {
    this.wokenThisTurn = false;
    if (!this.deferredJobs) return;
    this.deferredJobs = false;
    this.nativeModel.wake();
  };

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
   * promise settles. Rejects with INVALID_ARGUMENT (bad inputs, or inputs ONNX Runtime refused
   * while running), RESOURCE_EXHAUSTED (queue full, out of memory), UNAVAILABLE (closed, or timed
   * out in queue), CANCELLED (`signal` aborted or `cancel` set first) or INTERNAL. A rejection from ONNX Runtime
   * carries its raw message in `error.detail`.
   */
  infer(inputs: InferInputs, options?: InferOptions): Promise<InferOutputs> {
    return this.submit(inputs, options, false);
  }

  /**
   * Like `infer`, and also resolves with this request's phase durations (queue, compute input,
   * infer, output), e.g. for an access log. The plain `infer` path builds no timing object.
   */
  inferWithTiming(inputs: InferInputs, options?: InferOptions): Promise<TimedInferResult> {
    return this.submit(inputs, options, true);
  }

  private submit(inputs: InferInputs, options: InferOptions | undefined, withTiming: false): Promise<InferOutputs>;
  private submit(
    inputs: InferInputs,
    options: InferOptions | undefined,
    withTiming: true,
  ): Promise<TimedInferResult>;
  private submit(
    inputs: InferInputs,
    options: InferOptions | undefined,
    withTiming: boolean,
  ): Promise<InferOutputs | TimedInferResult> {
    try {
      if (this.closing !== undefined) throw new ProtonError('UNAVAILABLE', 'the model is closed');
      const ordered = orderInputs(this.metadata, inputs, this.options.maxBatchSize);
      const outputs = outputIndices(this.metadata, options?.outputs);
      const timeoutMs = options?.timeoutMs ?? 0;
      if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
        throw new ProtonError('INVALID_ARGUMENT', `timeoutMs must be a non-negative number, received ${String(timeoutMs)}`);
      }
      const cancel = options?.cancel;
      const signal = options?.signal;
      if (signal === undefined) {
        if (cancel?.cancelled) return Promise.reject(cancelledBeforeQueued());
        return this.run(ordered, outputs, timeoutMs, cancel?.word, withTiming);
      }
      return this.inferCancellable(ordered, outputs, timeoutMs, signal, cancel, withTiming);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private run(
    ordered: OrderedInputs,
    outputs: number[] | null,
    timeoutMs: number,
    flag: Int32Array | undefined,
    withTiming: boolean,
  ): Promise<InferOutputs | TimedInferResult> {
    // The first job of a turn of the event loop wakes a sleeping model thread at once; the jobs
    // that follow it in the same turn (requests read in one burst) share one wake-up in the check
    // phase instead of a futex call and a context switch each. Their results could not be sent
    // before this turn ends anyway: the JS thread is busy reading the burst.
    const defer = this.wokenThisTurn;
    if (defer) {
      this.deferredJobs = true;
    } else {
      this.wokenThisTurn = true;
      setImmediate(this.wakeDeferred);
    }
    return withTiming
      ? this.nativeModel.infer(ordered.datas, ordered.dims, outputs, timeoutMs, flag, true, defer)
      : this.nativeModel.infer(ordered.datas, ordered.dims, outputs, timeoutMs, flag, false, defer);
  }

  private inferCancellable(
    ordered: OrderedInputs,
    outputs: number[] | null,
    timeoutMs: number,
    signal: AbortSignal,
    cancel: CancelFlag | undefined,
    withTiming: boolean,
  ): Promise<InferOutputs | TimedInferResult> {
    if (signal.aborted || cancel?.cancelled) return Promise.reject(cancelledBeforeQueued());
    // The native thread polls this flag before running the job.
    const flag = cancel ?? new CancelFlag();
    const onAbort = (): void => flag.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const removeListener = (): void => signal.removeEventListener('abort', onAbort);
    const result = this.run(ordered, outputs, timeoutMs, flag.word, withTiming);
    result.then(removeListener, removeListener);
    return result;
  }

  /** Counters, phase timings, batch-size and per-instance statistics of this model. */
  stats(): ModelStatistics {
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

function cancelledBeforeQueued(): ProtonError {
  return new ProtonError('CANCELLED', 'the request was cancelled before it was queued');
}
