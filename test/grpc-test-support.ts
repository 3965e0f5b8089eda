import { expect } from 'vitest';
import {
  credentials,
  loadPackageDefinition,
  type CallOptions,
  type Client,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import * as ort from 'onnxruntime-node';
import { Model } from '../ts/model';
import type { ModelLoadOptions } from '../ts/model-types';
import { DEMO_MODELS_DIR, ensureDemoModels, type DemoModelName } from '../ts/onnx/demo-models';
import { startGrpcServer, type GrpcServerHandle } from '../ts/server/grpc/grpc-server';
import { loadProto } from '../ts/protocol/proto-loading';
import { resolveLimits, type Limits } from '../ts/protocol/limits';
import { ModelRegistry } from '../ts/repository/model-registry';
import type { TensorType } from '../ts/protocol/datatypes';
import type { NumericTensorData, Tensor } from '../ts/protocol/tensor';
import { toOrtTensor } from './helpers/ort-tensor';

/** Shared by the gRPC test files: a real server on port 0, real clients, and the ORT reference. */

export interface TestServer {
  readonly port: number;
  readonly address: string;
  readonly registry: ModelRegistry;
  /** What the server logged as unexpected failures. */
  readonly logged: Array<{ details: object; message: string }>;
  /** Metrics the server reported, in order. */
  readonly observed: Array<{ protocol: string; model: string; code: string }>;
  readonly handle: GrpcServerHandle;
  close(): Promise<void>;
}

/** Loads `models` (served under their demo names unless renamed) and starts a gRPC server over them. */
export async function startTestServer(
  models: Partial<Record<string, { demo: DemoModelName; options?: ModelLoadOptions }>>,
  serverOptions: { shutdownTimeoutMs?: number; limits?: Partial<Limits> } = {},
): Promise<TestServer> {
  const paths = await ensureDemoModels(DEMO_MODELS_DIR);
  const registry = new ModelRegistry();
  for (const [name, spec] of Object.entries(models)) {
    if (!spec) continue;
    const model = await Model.load(paths[spec.demo], { intraOpNumThreads: 1, ...spec.options });
    registry.add({ name, version: '1', model });
  }
  const logged: TestServer['logged'] = [];
  const observed: TestServer['observed'] = [];
  const handle = await startGrpcServer(registry, {
    host: '127.0.0.1',
    port: 0,
    logger: { error: (details, message) => logged.push({ details, message }) },
    metrics: { observeRequest: (record, code) => observed.push({ protocol: record.protocol, model: record.served?.name ?? '', code }) },
    shutdownTimeoutMs: serverOptions.shutdownTimeoutMs ?? 2_000,
    limits: resolveLimits(serverOptions.limits),
  });
  return {
    port: handle.port,
    address: `127.0.0.1:${handle.port}`,
    registry,
    logged,
    observed,
    handle,
    close: async () => {
      await handle.close();
      await registry.closeAll();
    },
  };
}

const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/** A grpc-js client of `service` (e.g. 'inference.GRPCInferenceService') from one of Proton's protos. */
export function createClient(protoFile: string, service: string, address: string): Client {
  const loaded = loadPackageDefinition(loadProto(protoFile));
  const Constructor = service.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], loaded);
  return new (Constructor as ServiceClientConstructor)(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
}

/** Calls a unary method and resolves with its response (rejects with the ServiceError). */
export function unary<Response>(client: Client, method: string, request: object, options: CallOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, Function>)[method];
    if (!fn) throw new Error(`client has no method ${method}`);
    fn.call(client, request, options, (error: ServiceError | null, response: Response) => (error ? reject(error) : resolve(response)));
  });
}

/** Resolves with the ServiceError of a call that must fail. */
export async function unaryError(client: Client, method: string, request: object, options: CallOptions = {}): Promise<ServiceError> {
  try {
    await unary(client, method, request, options);
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error(`${method} succeeded but was expected to fail`);
}

/** Runs `feeds` through onnxruntime-node's own session on the same model file: the reference. */
export async function referenceRun(
  demo: DemoModelName,
  feeds: Record<string, Tensor>,
  outputs?: string[],
): Promise<Record<string, Tensor>> {
  const paths = await ensureDemoModels(DEMO_MODELS_DIR);
  const session = await ort.InferenceSession.create(paths[demo], { intraOpNumThreads: 1 });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      ortFeeds[name] = toOrtTensor(tensor);
    }
    const result = outputs ? await session.run(ortFeeds, outputs) : await session.run(ortFeeds);
    const converted: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(result)) {
      converted[name] = { type: value.type as TensorType, dims: [...value.dims], data: value.data } as Tensor;
    }
    return converted;
  } finally {
    await session.release();
  }
}

/** Deterministic test data of `type` with `count` elements (small values, so every type can hold them). */
export function sampleData(type: TensorType, count: number, seed = 1): Tensor['data'] {
  const values = Array.from({ length: count }, (_, i) => ((i * 7 + seed * 13) % 11) - 5);
  switch (type) {
    case 'float32':
      return Float32Array.from(values, (v) => v / 4);
    case 'float64':
      return Float64Array.from(values, (v) => v / 4);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(v));
    case 'uint64':
      return BigUint64Array.from(values, (v) => BigInt(v + 5));
    case 'int8':
      return Int8Array.from(values);
    case 'int16':
      return Int16Array.from(values);
    case 'int32':
      return Int32Array.from(values);
    case 'uint8':
      return Uint8Array.from(values, (v) => v + 5);
    case 'uint16':
      return Uint16Array.from(values, (v) => v + 5);
    case 'uint32':
      return Uint32Array.from(values, (v) => v + 5);
    case 'bool':
      return Uint8Array.from(values, (v) => (v > 0 ? 1 : 0));
    case 'float16':
      return Uint16Array.from(values, (v) => 0x3c00 + v); // finite half-precision bit patterns
    case 'string':
      return values.map((v) => `s${v}`);
  }
}

/** A concrete shape for a model's (possibly dynamic) input shape. */
export function concreteShape(shape: ReadonlyArray<number | string>, dynamic = 2): number[] {
  return shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : dynamic));
}

/** Decodes raw little-endian output bytes independently of the server's raw-tensor module. */
export function decodeRaw(datatype: string, bytes: Buffer): number[] | bigint[] | boolean[] | string[] {
  const count = (size: number): number => bytes.byteLength / size;
  const read = <T>(size: number, at: (offset: number) => T): T[] => Array.from({ length: count(size) }, (_, i) => at(i * size));
  switch (datatype) {
    case 'FP32':
      return read(4, (o) => bytes.readFloatLE(o));
    case 'FP64':
      return read(8, (o) => bytes.readDoubleLE(o));
    case 'INT8':
      return read(1, (o) => bytes.readInt8(o));
    case 'INT16':
      return read(2, (o) => bytes.readInt16LE(o));
    case 'INT32':
      return read(4, (o) => bytes.readInt32LE(o));
    case 'INT64':
      return read(8, (o) => bytes.readBigInt64LE(o));
    case 'UINT8':
      return read(1, (o) => bytes.readUInt8(o));
    case 'UINT16':
      return read(2, (o) => bytes.readUInt16LE(o));
    case 'UINT32':
      return read(4, (o) => bytes.readUInt32LE(o));
    case 'UINT64':
      return read(8, (o) => bytes.readBigUInt64LE(o));
    case 'BOOL':
      return read(1, (o) => bytes.readUInt8(o) !== 0);
    case 'BYTES': {
      const strings: string[] = [];
      for (let o = 0; o < bytes.byteLength; ) {
        const length = bytes.readUInt32LE(o);
        strings.push(bytes.toString('utf8', o + 4, o + 4 + length));
        o += 4 + length;
      }
      return strings;
    }
    default:
      throw new Error(`no test decoder for ${datatype}`);
  }
}

/** The reference tensor's elements as plain values comparable with decodeRaw's. */
export function referenceValues(tensor: Tensor): number[] | bigint[] | boolean[] | string[] {
  if (tensor.type === 'bool') return Array.from(tensor.data as Uint8Array, (v) => v !== 0);
  if (tensor.type === 'string') return [...(tensor.data as string[])];
  return Array.from(tensor.data as ArrayLike<number | bigint>) as number[] | bigint[];
}

/** Little-endian bytes of a tensor's data, built without the server's raw-tensor module. */
export function rawBytes(tensor: Tensor): Buffer {
  if (tensor.type === 'string') {
    return Buffer.concat(
      (tensor.data as string[]).flatMap((s) => {
        const body = Buffer.from(s, 'utf8');
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32LE(body.byteLength);
        return [prefix, body];
      }),
    );
  }
  const data = tensor.data as NumericTensorData;
  return Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** Float elements agree within float32 rounding; every other type must match exactly. */
export function expectSameValues(actual: ReadonlyArray<unknown>, expected: ReadonlyArray<unknown>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (typeof e === 'number' && !Number.isInteger(e)) {
      if (Math.abs((a as number) - e) > 1e-6 + 1e-5 * Math.abs(e)) {
        expect.fail(`element ${i}: ${String(a)} differs from the reference ${e}`);
      }
    } else if (a !== e) {
      expect.fail(`element ${i}: ${String(a)} differs from the reference ${String(e)}`);
    }
  }
}

/** V2 datatype names, spelled out here so tests do not lean on the server's own table. */
export const V2_NAME: Readonly<Record<TensorType, string>> = {
  bool: 'BOOL',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  float16: 'FP16',
  float32: 'FP32',
  float64: 'FP64',
  string: 'BYTES',
};

/** The typed `contents` of a tensor as a ModelInfer client writes them. */
export function typedContents(tensor: Tensor): Record<string, unknown[]> {
  const values = Array.from(tensor.data as ArrayLike<unknown>);
  switch (tensor.type) {
    case 'bool':
      return { bool_contents: values.map((v) => v !== 0) };
    case 'int8':
    case 'int16':
    case 'int32':
      return { int_contents: values };
    case 'uint8':
    case 'uint16':
    case 'uint32':
      return { uint_contents: values };
    case 'int64':
      return { int64_contents: values.map(String) };
    case 'uint64':
      return { uint64_contents: values.map(String) };
    case 'float32':
      return { fp32_contents: values };
    case 'float64':
      return { fp64_contents: values };
    case 'string':
      return { bytes_contents: values.map((v) => Buffer.from(v as string, 'utf8')) };
    case 'float16':
      throw new Error('FP16 has no typed contents');
  }
}
