/**
 * What the suite measures: servers, the clients that drive them, and the models. A variant is
 * one server driven by one client (e.g. Proton over REST binary).
 */

export const SERVER_IDS = ['ort-ceiling', 'http-ceiling', 'grpc-ceiling', 'proton', 'js-worker', 'ort-event-loop', 'node-http'] as const;
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
  { server: 'grpc-ceiling', client: 'grpc' },
  { server: 'proton', client: 'rest-binary' },
  { server: 'proton', client: 'rest-json' },
  { server: 'proton', client: 'grpc' },
  { server: 'js-worker', client: 'rest-binary' },
  { server: 'js-worker', client: 'rest-json' },
  { server: 'js-worker', client: 'grpc' },
  { server: 'ort-event-loop', client: 'rest-binary' },
  { server: 'ort-event-loop', client: 'grpc' },
  { server: 'node-http', client: 'rest-json' },
  { server: 'node-http', client: 'rest-binary' },
];

export const SERVER_LABELS: Readonly<Record<ServerId, string>> = {
  'ort-ceiling': 'ORT ceiling',
  'http-ceiling': 'HTTP ceiling',
  'grpc-ceiling': 'gRPC ceiling',
  proton: 'Proton',
  'js-worker': 'JS worker path',
  'ort-event-loop': 'ORT on the event loop',
  'node-http': 'node:http + ORT',
};

/** What each server is, for the reports. */
export const SERVER_DESCRIPTIONS: Readonly<Record<ServerId, string>> = {
  'ort-ceiling': 'no server: a tight loop over the Proton addon with N calls in flight, in its own process (the raw ONNX Runtime loop)',
  'http-ceiling': 'uWebSockets.js reading each V2 infer request and answering a fixed small response, no inference',
  'grpc-ceiling': 'grpc-js answering ModelInfer (request decoded by grpc-js) with a fixed small response, no inference',
  proton: 'this project (`node dist/ts/server/cli.js`): uWebSockets.js + grpc-js, one native thread per model',
  'js-worker':
    "Proton's uWebSockets.js + grpc-js front-ends with onnxruntime-node in one worker_thread per model: session reused, " +
    'tensors moved with transfer lists (not structured-cloned)',
  'ort-event-loop': "Proton's uWebSockets.js + grpc-js front-ends with onnxruntime-node's session.run awaited on the event loop",
  'node-http': 'node:http with onnxruntime-node in the main thread (inference blocks the event loop)',
};

export const CLIENT_LABELS: Readonly<Record<ClientId, string>> = {
  'in-process': 'in-process',
  'rest-binary': 'REST binary',
  'rest-json': 'REST JSON',
  grpc: 'gRPC',
};

export const GENERATOR_LABELS: Readonly<Record<'clients' | 'wrk' | 'h2load' | 'in-process', string>> = {
  clients: 'node clients',
  wrk: 'wrk',
  h2load: 'h2load',
  'in-process': 'in-process',
};

/** The label of a variant in tables and the chart, e.g. "Proton · REST binary". */
export function variantLabel(variant: Variant): string {
  return variant.client === 'in-process' ? SERVER_LABELS[variant.server] : `${SERVER_LABELS[variant.server]} · ${CLIENT_LABELS[variant.client]}`;
}

/** Whether the variant runs the model (every server but the HTTP and gRPC ceilings). */
export function runsInference(variant: Variant): boolean {
  return variant.server !== 'http-ceiling' && variant.server !== 'grpc-ceiling';
}

export function sameVariant(a: Variant, b: Variant): boolean {
  return a.server === b.server && a.client === b.client;
}
