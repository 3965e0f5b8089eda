import type { ModelMetadata } from '../../ts/model-types';
import type { Tensor } from '../../ts/protocol/tensor';

/**
 * Messages between the main thread and `session-worker.js`. Tensor buffers travel in transfer
 * lists (moved, not copied); the request's input buffers come back with the reply, so a caller
 * with fixed inputs reuses them instead of allocating per call.
 */

/** Sent once through `workerData`. */
export interface SessionWorkerInit {
  file: string;
  /** ONNX Runtime intra-op threads of the session. */
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
  | { kind: 'result'; id: number; outputs: Record<string, Tensor>; inputs: Record<string, Tensor> }
  | { kind: 'error'; id: number; message: string; inputs: Record<string, Tensor> };

/**
 * The buffers of `tensors` to list for transfer: each typed array's whole ArrayBuffer, once.
 * Only arrays that own their buffer outright qualify (a view into a larger buffer, such as a
 * request body or Node's Buffer pool, would move the rest with it); `ownedTensors` makes them so.
 */
export function transferList(tensors: Record<string, Tensor>): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of Object.values(tensors)) {
    if (ownsBuffer(tensor)) buffers.add((tensor.data as ArrayBufferView).buffer as ArrayBuffer);
  }
  return [...buffers];
}

/** The tensors with every view that does not own its buffer copied once into one that does. */
export function ownedTensors(tensors: Record<string, Tensor>): Record<string, Tensor> {
  const owned: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (Array.isArray(tensor.data) || ownsBuffer(tensor)) owned[name] = tensor;
    else owned[name] = { ...tensor, data: (tensor.data as Float32Array).slice() } as Tensor;
  }
  return owned;
}

function ownsBuffer(tensor: Tensor): boolean {
  if (Array.isArray(tensor.data)) return false;
  const view = tensor.data as ArrayBufferView;
  return view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}
