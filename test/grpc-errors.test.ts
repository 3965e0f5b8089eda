import { Client, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../ts/model';
import type { ServableModel } from '../ts/repository/served-model';
import { startGrpcServer } from '../ts/server/grpc/grpc-server';
import { decodeThroughWire } from './helpers/grpc-wire-decode';
import type { Tensor } from '../ts/protocol/tensor';
import {
  createClient,
  rawBytes,
  sampleData,
  startTestServer,
  unary,
  unaryError,
  type TestServer,
} from './grpc-test-support';

const HELD = { holdUntilQueued: 2 } as const;

let server: TestServer;
let v2: Client;
let predict: Client;

beforeAll(async () => {
  server = await startTestServer({
    add: { demo: 'add' },
    dynamic_batch: { demo: 'dynamic_batch' },
    // Capacity 1 never reaches the hold of 2: the first job waits, the next finds the queue full.
    full: { demo: 'dynamic_batch', options: { queueCapacity: 1, holdUntilQueued: 2 } },
    held_deadline: { demo: 'dynamic_batch', options: HELD },
    held_cancel: { demo: 'dynamic_batch', options: HELD },
    held_timeout: { demo: 'dynamic_batch', options: HELD },
  });
  v2 = createClient('inference.proto', 'inference.GRPCInferenceService', server.address);
  predict = createClient('predict.proto', 'predict.Predictor', server.address);
});

afterAll(async () => {
  v2?.close();
  predict?.close();
  await server?.close();
});

const ones = (n: number): number[] => new Array<number>(n).fill(1);

/** A valid typed `add` request; `patch` edits its inputs. */
function addRequest(patch: (inputs: Array<Record<string, unknown>>) => void = () => {}, extra: object = {}): object {
  const inputs: Array<Record<string, unknown>> = ['a', 'b'].map((name) => ({
    name,
    datatype: 'FP32',
    shape: [1, 16],
    contents: { fp32_contents: ones(16) },
  }));
  patch(inputs);
  return { model_name: 'add', inputs, ...extra };
}

const rawFloats = (n: number): Buffer => Buffer.alloc(n * 4);

async function expectFailure(call: Promise<ServiceError>, code: GrpcStatus, details: string | RegExp): Promise<void> {
  const error = await call;
  expect(GrpcStatus[error.code]).toBe(GrpcStatus[code]);
  if (typeof details === 'string') expect(error.details).toContain(details);
  else expect(error.details).toMatch(details);
}

function batchRequest(model: string, rows: number, extra: object = {}): object {
  return {
    model_name: model,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, 4], contents: { fp32_contents: ones(rows * 4) } }],
    ...extra,
  };
}

function served(name: string): ServableModel {
  return server.registry.get(name).model;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i > 500) throw new Error('condition never held');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('NOT_FOUND', () => {
  it('an unknown model, on every RPC that names one', async () => {
    await expectFailure(unaryError(v2, 'ModelInfer', { ...addRequest(), model_name: 'nope' }), GrpcStatus.NOT_FOUND, "unknown model 'nope'");
    await expectFailure(unaryError(v2, 'ModelMetadata', { name: 'nope' }), GrpcStatus.NOT_FOUND, "unknown model 'nope'");
    await expectFailure(
      unaryError(predict, 'Predict', { model_name: 'nope', data: [1], shape: [1] }),
      GrpcStatus.NOT_FOUND,
      "unknown model 'nope'",
    );
  });

  it('a version that is not served', async () => {
    await expectFailure(unaryError(v2, 'ModelInfer', addRequest(undefined, { model_version: '7' })), GrpcStatus.NOT_FOUND, "has no version '7'");
    await expectFailure(unaryError(v2, 'ModelMetadata', { name: 'add', version: '7' }), GrpcStatus.NOT_FOUND, "has no version '7'");
  });

  it('is counted under model "" so unknown names do not become metric labels', async () => {
    const before = server.observed.length;
    await unaryError(v2, 'ModelInfer', { ...addRequest(), model_name: 'nope2' });
    expect(server.observed.slice(before)).toEqual([{ protocol: 'grpc', model: '', code: 'NOT_FOUND' }]);
  });
});

describe('INVALID_ARGUMENT for malformed tensors, naming the problem', () => {
  const cases: Array<[string, object, string | RegExp]> = [
    ['an unknown datatype', addRequest((i) => Object.assign(i[0]!, { datatype: 'FP8' })), "input 'a': unsupported datatype 'FP8'"],
    [
      'a datatype the model does not take',
      addRequest((i) => Object.assign(i[0]!, { datatype: 'INT32', contents: { int_contents: ones(16) } })),
      "input 'a': expected float32 [1,16], received int32 [1,16]",
    ],
    [
      'fewer elements than the shape',
      addRequest((i) => Object.assign(i[0]!, { contents: { fp32_contents: ones(15) } })),
      "input 'a': shape [1,16] has 16 elements but contents.fp32_contents has 15",
    ],
    [
      'elements in the wrong contents field',
      addRequest((i) => Object.assign(i[1]!, { contents: { fp64_contents: ones(16) } })),
      "input 'b': FP32 elements belong in contents.fp32_contents, not contents.fp64_contents",
    ],
    [
      'FP16 in typed contents',
      addRequest((i) => Object.assign(i[0]!, { datatype: 'FP16', contents: {} })),
      "input 'a': FP16 has no typed contents field; send it in raw_input_contents",
    ],
    ['a wrong shape', addRequest((i) => Object.assign(i[0]!, { shape: [2, 8] })), "input 'a': expected float32 [1,16], received float32 [2,8]"],
    ['a negative dimension', addRequest((i) => Object.assign(i[0]!, { shape: [-1, 16] })), "input 'a': invalid shape [-1,16]"],
    ['a missing input', addRequest((i) => i.pop()), "missing input 'b'"],
    ['an unknown input', addRequest((i) => i.push({ ...i[0], name: 'c' })), "unknown input 'c'"],
    ['an input sent twice', addRequest((i) => i.push({ ...i[0] })), "input 'a' appears more than once"],
    ['an unknown requested output', addRequest(undefined, { outputs: [{ name: 'nope' }] }), "unknown output 'nope'"],
    ['an output requested twice', addRequest(undefined, { outputs: [{ name: 'sum' }, { name: 'sum' }] }), "output 'sum' is requested more than once"],
    [
      'raw contents of the wrong size',
      addRequest((i) => i.forEach((t) => delete t.contents), { raw_input_contents: [rawFloats(16), rawFloats(15)] }),
      "input 'b': expected 64 bytes for float32 [1,16], received 60",
    ],
    [
      'fewer raw contents than inputs',
      addRequest((i) => i.forEach((t) => delete t.contents), { raw_input_contents: [rawFloats(16)] }),
      'raw_input_contents has 1 entries but the request has 2 inputs',
    ],
    [
      'raw contents mixed with typed contents',
      addRequest((i) => delete i[0]!.contents, { raw_input_contents: [rawFloats(16), rawFloats(16)] }),
      "input 'b': contents must be empty when raw_input_contents is used",
    ],
    [
      'truncated raw BYTES',
      addRequest((i) => i.forEach((t) => Object.assign(t, { datatype: 'BYTES', contents: undefined })), {
        raw_input_contents: [Buffer.from([1, 0]), Buffer.from([])],
      }),
      "input 'a': BYTES element 0 has a truncated length prefix",
    ],
  ];
  for (const [what, request, details] of cases) {
    it(what, async () => {
      await expectFailure(unaryError(v2, 'ModelInfer', request), GrpcStatus.INVALID_ARGUMENT, details);
    });
  }

  it('Predict: data that does not fill the shape, a missing shape on a dynamic model, a model with two inputs', async () => {
    await expectFailure(
      unaryError(predict, 'Predict', { model_name: 'dynamic_batch', data: [1, 2, 3], shape: [1, 4] }),
      GrpcStatus.INVALID_ARGUMENT,
      'shape [1,4] has 4 elements but data has 3',
    );
    await expectFailure(
      unaryError(predict, 'Predict', { model_name: 'dynamic_batch', data: [1, 2, 3, 4] }),
      GrpcStatus.INVALID_ARGUMENT,
      'shape is required',
    );
    await expectFailure(
      unaryError(predict, 'Predict', { model_name: 'dynamic_batch', data: [1, 2, 3, 4], shape: [-1, 4] }),
      GrpcStatus.INVALID_ARGUMENT,
      'invalid shape [-1,4]',
    );
    await expectFailure(
      unaryError(predict, 'Predict', { model_name: 'add', data: ones(16), shape: [1, 16] }),
      GrpcStatus.INVALID_ARGUMENT,
      "missing input 'b'",
    );
  });

  it('typed integers outside their datatype', async () => {
    const input = (datatype: string, contents: object): object => ({ name: 'q', datatype, shape: ['2'], contents: { ...emptyContents(), ...contents } });
    await expect(decodeThroughWire([input('INT8', { int_contents: [1, 128] })])).rejects.toThrow("input 'q': element 1 (128) is out of range for int8");
    await expect(decodeThroughWire([input('UINT16', { uint_contents: [65536, 1] })])).rejects.toThrow('out of range for uint16');
  });
});

function emptyContents(): Record<string, unknown[]> {
  return {
    bool_contents: [],
    int_contents: [],
    int64_contents: [],
    uint_contents: [],
    uint64_contents: [],
    fp32_contents: [],
    fp64_contents: [],
    bytes_contents: [],
  };
}

describe('malformed messages', () => {
  it('bytes that are not the message fail the call, and the server keeps serving', async () => {
    const raw = new Client(server.address, credentials.createInsecure());
    const send = (path: string, bytes: Buffer) =>
      new Promise<ServiceError>((resolve, reject) =>
        raw.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (error) => (error ? resolve(error) : reject(new Error('accepted')))),
      );
    try {
      // A length varint cut off mid-way; a packed float block of 3 bytes.
      const invalid = Buffer.from([0x0a, 0xff]);
      const ragged = Buffer.from([0x12, 3, 0, 0, 0]);
      for (const [path, bytes] of [
        ['/inference.GRPCInferenceService/ModelInfer', invalid],
        ['/predict.Predictor/Predict', invalid],
        ['/predict.Predictor/Predict', ragged],
      ] as const) {
        expect((await send(path, bytes)).code).toBe(GrpcStatus.INVALID_ARGUMENT); // the bounded decoders name the problem
      }
    } finally {
      raw.close();
    }
    await expect(unary(v2, 'ModelInfer', addRequest())).resolves.toMatchObject({ model_name: 'add' });
  });
});

describe('queue, deadline and cancellation', () => {
  it('a full queue answers RESOURCE_EXHAUSTED at once, and the queued request still completes', async () => {
    const first = unary(v2, 'ModelInfer', batchRequest('full', 1));
    await waitUntil(() => served('full').stats().pending === 1);
    await expectFailure(unaryError(v2, 'ModelInfer', batchRequest('full', 1)), GrpcStatus.RESOURCE_EXHAUSTED, "the model's queue is full");
    await served('full').close(); // releases the hold; accepted work is finished, not dropped
    await expect(first).resolves.toMatchObject({ model_name: 'full' });
  });

  it('a request whose deadline passes in the queue is dropped, never run', async () => {
    const model = served('held_deadline');
    const late = unaryError(v2, 'ModelInfer', batchRequest('held_deadline', 1), { deadline: Date.now() + 200 });
    await waitUntil(() => model.stats().pending === 1);
    expect((await late).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    // A second request releases the hold: the worker drops the expired job and runs only this one.
    await unary(v2, 'ModelInfer', batchRequest('held_deadline', 2));
    await waitUntil(() => model.stats().pending === 0);
    expect(model.stats().executions).toBe(1);
    expect(model.stats().inferences).toBe(1);
  });

  it("a request past its own `timeout` parameter is dropped with UNAVAILABLE, as Triton's schedule_policy says", async () => {
    const model = served('held_timeout');
    const timeout = { timeout: { int64_param: 50_000 } }; // microseconds
    const late = unaryError(v2, 'ModelInfer', batchRequest('held_timeout', 1, { parameters: timeout }));
    await waitUntil(() => model.stats().pending === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await unary(v2, 'ModelInfer', batchRequest('held_timeout', 2));
    await expectFailure(late, GrpcStatus.UNAVAILABLE, 'the request timed out in queue');
    expect(model.stats().executions).toBe(1);
    await expectFailure(
      unaryError(v2, 'ModelInfer', batchRequest('held_timeout', 1, { parameters: { timeout: { string_param: '5' } } })),
      GrpcStatus.INVALID_ARGUMENT,
      'parameters.timeout must be a non-negative int64_param (microseconds)',
    );
  });

  it('a request the client cancels is dropped from the queue', async () => {
    const model = served('held_cancel');
    const call = new Promise<ServiceError>((resolve) => {
      const pending = (v2 as unknown as Record<string, Function>).ModelInfer!.call(
        v2,
        batchRequest('held_cancel', 1),
        (error: ServiceError) => resolve(error),
      ) as { cancel(): void };
      void waitUntil(() => model.stats().pending === 1).then(() => pending.cancel());
    });
    expect((await call).code).toBe(GrpcStatus.CANCELLED);
    await unary(v2, 'ModelInfer', batchRequest('held_cancel', 2));
    await waitUntil(() => model.stats().pending === 0);
    expect(model.stats().executions).toBe(1);
  });
});

describe('UNAVAILABLE and INTERNAL', () => {
  let lifecycle: TestServer;
  let client: Client;

  beforeAll(async () => {
    lifecycle = await startTestServer({ closed: { demo: 'add' }, add: { demo: 'add' } });
    const add = lifecycle.registry.get('add').model;
    // A model whose infer throws a plain TypeError: a bug, which must become INTERNAL, not a crash.
    const broken = {
      metadata: add.metadata,
      ready: true,
      infer: () => Promise.reject(new TypeError('boom')),
      inferWithTiming: () => Promise.reject(new TypeError('boom')),
      close: () => Promise.resolve(),
    } as unknown as Model;
    lifecycle.registry.add({ name: 'broken', version: '1', model: broken });
    client = createClient('inference.proto', 'inference.GRPCInferenceService', lifecycle.address);
  });

  afterAll(async () => {
    client?.close();
    await lifecycle?.close();
  });

  it('a closed model answers UNAVAILABLE and is not ready', async () => {
    await lifecycle.registry.get('closed').model.close();
    await expectFailure(
      unaryError(client, 'ModelInfer', { ...addRequest(), model_name: 'closed' }),
      GrpcStatus.UNAVAILABLE,
      'the model is closed',
    );
    expect(await unary(client, 'ModelReady', { name: 'closed' })).toEqual({ ready: false });
    expect(await unary(client, 'ServerReady', {})).toEqual({ ready: false });
  });

  it('an unexpected error is INTERNAL, logged, and the server keeps serving', async () => {
    await expectFailure(unaryError(client, 'ModelInfer', { ...addRequest(), model_name: 'broken' }), GrpcStatus.INTERNAL, 'internal error: boom');
    expect(lifecycle.logged).toHaveLength(1);
    expect(lifecycle.logged[0]?.message).toContain('ModelInfer');
    const request = {
      model_name: 'add',
      inputs: ['a', 'b'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16] })),
      raw_input_contents: ['a', 'b'].map(() => rawBytes({ type: 'float32', dims: [1, 16], data: sampleData('float32', 16) } as Tensor)),
    };
    await expect(unary(client, 'ModelInfer', request)).resolves.toMatchObject({ model_name: 'add' });
  });
});

describe('start-up and shutdown', () => {
  it('rejects with the address when the port is taken', async () => {
    await expect(startGrpcServer(server.registry, { host: '127.0.0.1', port: server.port })).rejects.toThrow(
      `gRPC cannot listen on 127.0.0.1:${server.port}`,
    );
  });


  it('close() lets an in-flight call finish, refuses new ones, then resolves', async () => {
    const lifecycle = await startTestServer({ held: { demo: 'dynamic_batch', options: HELD } });
    const client = createClient('inference.proto', 'inference.GRPCInferenceService', lifecycle.address);
    const model = lifecycle.registry.get('held').model;
    try {
      const inFlight = unary(client, 'ModelInfer', batchRequest('held', 1));
      await waitUntil(() => model.stats().pending === 1);
      let closed = false;
      const closing = lifecycle.handle.close().then(() => (closed = true));
      const refused = await unaryError(client, 'ServerLive', {});
      expect([GrpcStatus.UNAVAILABLE, GrpcStatus.CANCELLED]).toContain(refused.code);
      expect(closed).toBe(false);
      await model.close(); // releases the hold, so the accepted call completes
      await expect(inFlight).resolves.toMatchObject({ model_name: 'held' });
      await closing;
      expect(lifecycle.logged).toEqual([]);
    } finally {
      client.close();
      await lifecycle.close();
    }
  });

  it('close() cancels calls still running at its deadline, and their late results harm nothing', async () => {
    const lifecycle = await startTestServer({ held: { demo: 'dynamic_batch', options: HELD } }, { shutdownTimeoutMs: 300 });
    const client = createClient('inference.proto', 'inference.GRPCInferenceService', lifecycle.address);
    const model = lifecycle.registry.get('held').model;
    try {
      const stuck = unaryError(client, 'ModelInfer', batchRequest('held', 1));
      await waitUntil(() => model.stats().pending === 1);
      const started = Date.now();
      await lifecycle.handle.close();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect([GrpcStatus.UNAVAILABLE, GrpcStatus.CANCELLED, GrpcStatus.INTERNAL]).toContain((await stuck).code);
      await model.close(); // the held job now completes or is dropped, with nobody to answer
      expect(model.stats().pending).toBe(0);
      expect(lifecycle.logged).toEqual([]);
    } finally {
      client.close();
      await lifecycle.close();
    }
  });
});
