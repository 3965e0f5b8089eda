/**
 * What the suite measures: servers, the clients that drive them, and the models. A variant is
 * one server driven by one client (e.g. Proton over REST binary).
 */

export const SERVER_IDS = ['ort-ceiling', 'http-ceiling', 'proton', 'js-worker', 'node-http'] as const;
export type ServerId = (typeof SERVER_IDS)[number];

/** `in-process` = no network: the ORT ceiling calls the addon directly. */
export type ClientId = 'in-process' | 'rest-binary' | 'rest-json' | 'grpc';

export interface Variant {
  server: ServerId;
  client: ClientId;
}

/** Every variant, in the order the suite runs and reports them. */
export const VARIANTS: readonly Variant[] = [
  { server: 'ort-ceiling', client: 'in-process' },
  { server: 'http-ceiling', client: 'rest-binary' },
  { server: 'http-ceiling', client: 'rest-json' },
  { server: 'proton', client: 'rest-binary' },
  { server: 'proton', client: 'rest-json' },
  { server: 'proton', client: 'grpc' },
  { server: 'js-worker', client: 'rest-binary' },
  { server: 'js-worker', client: 'rest-json' },
  { server: 'js-worker', client: 'grpc' },
  { server: 'node-http', client: 'rest-json' },
  { server: 'node-http', client: 'rest-binary' },
];

export const SERVER_LABELS: Readonly<Record<ServerId, string>> = {
  'ort-ceiling': 'ORT ceiling',
  'http-ceiling': 'HTTP ceiling',
  proton: 'Proton',
  'js-worker': 'JS worker path',
  'node-http': 'node:http + ORT',
};

/** What each server is, for the reports. */
export const SERVER_DESCRIPTIONS: Readonly<Record<ServerId, string>> = {
  'ort-ceiling': 'no server: a tight loop over the Proton addon with N calls in flight, in its own process',
  'http-ceiling': 'uWebSockets.js reading each V2 infer request and answering a fixed small response, no inference',
  proton: 'this project (`node dist/ts/server/cli.js`): uWebSockets.js + grpc-js, one native thread per model',
  'js-worker':
    "Proton's uWebSockets.js + grpc-js front-ends with onnxruntime-node sessions in worker_threads (one worker per model, postMessage)",
  'node-http': 'node:http with onnxruntime-node in the main thread (inference blocks the event loop)',
};

export const CLIENT_LABELS: Readonly<Record<ClientId, string>> = {
  'in-process': 'in-process',
  'rest-binary': 'REST binary',
  'rest-json': 'REST JSON',
  grpc: 'gRPC',
};

/** The label of a variant in tables and the chart, e.g. "Proton · REST binary". */
export function variantLabel(variant: Variant): string {
  return variant.client === 'in-process' ? SERVER_LABELS[variant.server] : `${SERVER_LABELS[variant.server]} · ${CLIENT_LABELS[variant.client]}`;
}

/** Whether the variant runs the model (every server but the HTTP ceiling). */
export function runsInference(variant: Variant): boolean {
  return variant.server !== 'http-ceiling';
}

export function sameVariant(a: Variant, b: Variant): boolean {
  return a.server === b.server && a.client === b.client;
}
