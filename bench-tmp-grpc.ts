import { Model } from '/work/main/ts/model';
import { ModelRegistry } from '/work/main/ts/server/model-registry';
import { startGrpcServer } from '/work/main/ts/server/grpc/grpc-server';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadProto } from '/work/main/ts/server/grpc/proto-loading';
function createClient(file: string, service: string, address: string): any {
  const loaded: any = loadPackageDefinition(loadProto(file));
  const C = service.split('.').reduce((n: any, k) => n[k], loaded);
  return new C(address, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
}
function unary(c: any, m: string, r: object): Promise<any> { return new Promise((res, rej) => c[m](r, (e: any, v: any) => (e ? rej(e) : res(v)))); }
function rawBytes(t: { data: Float32Array }): Buffer { return Buffer.from(t.data.buffer.slice(0)); }

async function time(label: string, n: number, fn: () => Promise<unknown>, concurrency = 1) {
  for (let i = 0; i < 50; i++) await fn();
  const t0 = performance.now();
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (done < n) { done++; await fn(); } }));
  const ms = performance.now() - t0;
  console.log(`${label}: ${(ms / n * 1000).toFixed(1)} us/req (${(n / ms * 1000).toFixed(0)} req/s, conc ${concurrency})`);
}

(async () => {
  const registry = new ModelRegistry();
  for (const [name, file] of [['add', 'add'], ['squeezenet', 'squeezenet1.0'], ['dynamic_batch', 'dynamic_batch']]) {
    registry.add({ name: name!, version: '1', model: await Model.load(`/work/main/models/${file}.onnx`, { intraOpNumThreads: 1 }) });
  }
  const server = await startGrpcServer(registry, { host: '127.0.0.1', port: 0 });
  const v2 = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${server.port}`);
  const pr = createClient('predict.proto', 'predict.Predictor', `127.0.0.1:${server.port}`);
  const add = registry.get('add').model;
  const a = new Float32Array(16).fill(1), b = new Float32Array(16).fill(2);
  await time('in-process add', 5000, () => add.infer({ a: { type: 'float32', dims: [1, 16], data: a }, b: { type: 'float32', dims: [1, 16], data: b } }));
  const addRaw = { model_name: 'add', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16] }, { name: 'b', datatype: 'FP32', shape: [1, 16] }],
    raw_input_contents: [rawBytes({ type: 'float32', dims: [1, 16], data: a }), rawBytes({ type: 'float32', dims: [1, 16], data: b })] };
  await time('grpc ModelInfer add raw', 3000, () => unary(v2, 'ModelInfer', addRaw));
  await time('grpc ModelInfer add raw', 10000, () => unary(v2, 'ModelInfer', addRaw), 16);
  const addTyped = { model_name: 'add', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: Array.from(a) } }, { name: 'b', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: Array.from(b) } }] };
  await time('grpc ModelInfer add typed', 3000, () => unary(v2, 'ModelInfer', addTyped));
  await time('grpc ServerLive', 3000, () => unary(v2, 'ServerLive', {}));
  const sq = registry.get('squeezenet').model;
  const img = new Float32Array(150528).map((_, i) => (i % 255) / 255);
  await time('in-process squeezenet', 100, () => sq.infer({ data: { type: 'float32', dims: [1, 3, 224, 224], data: img } }));
  const sqRaw = { model_name: 'squeezenet', inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 224, 224] }], raw_input_contents: [rawBytes({ type: 'float32', dims: [1, 3, 224, 224], data: img })] };
  await time('grpc ModelInfer squeezenet raw', 100, () => unary(v2, 'ModelInfer', sqRaw));
  const sqPredict = { model_name: 'squeezenet', data: Array.from(img), shape: [1, 3, 224, 224] };
  await time('grpc Predict squeezenet', 100, () => unary(pr, 'Predict', sqPredict));
  const db = { model_name: 'dynamic_batch', data: [1, 2, 3, 4], shape: [1, 4] };
  await time('grpc Predict dynamic_batch', 3000, () => unary(pr, 'Predict', db));
  v2.close(); pr.close();
  await server.close(); await registry.closeAll();
})();
