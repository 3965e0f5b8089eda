import type { ModelMetadata } from '../../../ts/model-types';
import type { Tensor } from '../../../ts/protocol/tensor';

/** Messages between the JS worker server's main thread and `session-worker.js`; tensors travel by structured clone. */

/** Sent once through `workerData`. */
export interface SessionWorkerInit {
  file: string;
  threads: number;
}

export interface WorkerRequest {
  id: number;
  inputs: Record<string, Tensor>;
  /** Output names to fetch; all outputs when undefined. */
  outputs: string[] | undefined;
}

export type WorkerReply =
  | { kind: 'ready'; metadata: ModelMetadata }
  | { kind: 'result'; id: number; outputs: Record<string, Tensor> }
  | { kind: 'error'; id: number; message: string };
