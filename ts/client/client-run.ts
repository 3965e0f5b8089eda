import { seededRandom } from '../seeded-random';
import { generateInputs, type NamedTensor } from './input-generator';
import { runLoad, type LoadProgress, type LoadResult } from './load-runner';
import { checkOutputs } from './output-check';
import { errorKeyOf, errorMessageOf } from './request-error';
import type { InferTransport, PreparedCall } from './transport';

/**
 * One client run: learn each model's metadata from the server, generate its inputs, check that
 * the first answer fits the metadata, then send the load with the models mixed at random.
 */

/** What a client run does. */
export interface ClientRunOptions {
  transport: InferTransport;
  /** Models to load; a request picks one at random (seeded) when there are several. */
  models: string[];
  requests?: number;
  durationSec?: number;
  concurrency: number;
  /** Seeds the generated inputs and the model mix. */
  seed: number;
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

/** The inputs a model was sent and the decoded answer to the checked first request. */
export interface ModelCheck {
  model: string;
  inputs: NamedTensor[];
  outputs: NamedTensor[];
}

/** Everything a client run measured. */
export interface ClientReport {
  clientType: string;
  models: string[];
  concurrency: number;
  requests?: number;
  durationSec?: number;
  seed: number;
  /** One per model, from the request sent before the load (not part of `load`). */
  checks: ModelCheck[];
  load: LoadResult;
}

/** Runs the client; rejects before any load when a model is unknown or its first answer does not fit its metadata. */
export async function runClient(options: ClientRunOptions): Promise<ClientReport> {
  const { transport, concurrency, requests, durationSec, seed } = options;
  const models = [...new Set(options.models)];
  if (models.length === 0) throw new Error('give at least one --model');

  const calls: PreparedCall[] = [];
  const checks: ModelCheck[] = [];
  for (const [position, model] of models.entries()) {
    const spec = await transport.fetchModelSpec(model).catch((error: unknown) => {
      throw new Error(`cannot get the metadata of model '${model}': ${describeError(error)}`);
    });
    const inputs = generateInputs(spec, seed + position);
    const call = transport.prepare(spec, inputs);
    const outputs = await call.infer().catch((error: unknown) => {
      throw new Error(`the first request to model '${model}' failed: ${describeError(error)}`);
    });
    checkOutputs(model, transport.answeredOutputs(spec), outputs);
    calls.push(call);
    checks.push({ model, inputs, outputs });
  }

  const pick = (index: number): number => (models.length === 1 ? 0 : modelIndexFor(seed, index, models.length));
  const load = await runLoad({
    send: (index) => (calls[pick(index)] as PreparedCall).send(),
    groupOf: (index) => models[pick(index)] as string,
    concurrency,
    requests,
    durationSec,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  return { clientType: transport.clientType, models, concurrency, requests, durationSec, seed, checks, load };
}

/** A model position that depends only on the seed and the request number, so send and groupOf agree. */
function modelIndexFor(seed: number, index: number, count: number): number {
  // Golden-ratio stride spreads consecutive request numbers over unrelated generator seeds.
  const random = seededRandom((seed + Math.imul(index, 0x9e3779b9)) >>> 0);
  return Math.floor(random() * count);
}

function describeError(error: unknown): string {
  return `${errorKeyOf(error)}: ${errorMessageOf(error)}`;
}
