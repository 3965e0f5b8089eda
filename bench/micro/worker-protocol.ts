/** Messages between the main thread and `ort-worker.js`; tensors travel as plain objects. */

export interface WireTensor {
  type: 'float32';
  dims: number[];
  data: Float32Array;
}

/** Sent once through `workerData`. */
export interface WorkerInit {
  file: string;
}

export type WorkerRequest = { id: number; inputs: Record<string, WireTensor> };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; outputs: Record<string, WireTensor> }
  | { kind: 'error'; id: number; message: string };
