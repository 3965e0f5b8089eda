import { Client, credentials } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
const root = new protobuf.Root().loadSync(['/work/main/proto/inference.proto', '/work/main/proto/predict.proto'], { keepCase: true });
const Req = root.lookupType('inference.ModelInferRequest');
const PReq = root.lookupType('predict.InferenceRequest');
const client = new Client('127.0.0.1:50999', credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
const call = (path: string, bytes: Buffer) => new Promise<Buffer>((res, rej) => client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (e, v) => (e ? rej(e) : res(v!))));
async function time(label: string, n: number, fn: () => Promise<unknown>, concurrency = 1) {
  for (let i = 0; i < 30; i++) await fn();
  const t0 = performance.now();
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => { while (done < n) { done++; await fn(); } }));
  const ms = performance.now() - t0;
  console.log(`${label}: ${(ms / n * 1000).toFixed(1)} us/req (${(n / ms * 1000).toFixed(0)} req/s, conc ${concurrency})`);
}
(async () => {
  const f = (n: number, v = 1) => Buffer.from(new Float32Array(n).fill(v).buffer);
  const addRaw = Buffer.from(Req.encode({ model_name: 'add', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16] }, { name: 'b', datatype: 'FP32', shape: [1, 16] }], raw_input_contents: [f(16), f(16, 2)] }).finish());
  const addTyped = Buffer.from(Req.encode({ model_name: 'add', inputs: [{ name: 'a', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: new Array(16).fill(1) } }, { name: 'b', datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: new Array(16).fill(2) } }] }).finish());
  const img = new Float32Array(150528).map((_, i) => (i % 255) / 255);
  const sqRaw = Buffer.from(Req.encode({ model_name: 'squeezenet', inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 224, 224] }], raw_input_contents: [Buffer.from(img.buffer)] }).finish());
  const sqPredict = Buffer.from(PReq.encode({ model_name: 'squeezenet', data: Array.from(img), shape: [1, 3, 224, 224] }).finish());
  const dbPredict = Buffer.from(PReq.encode({ model_name: 'dynamic_batch', data: [1, 2, 3, 4], shape: [1, 4] }).finish());
  const live = Buffer.alloc(0);
  const M = '/inference.GRPCInferenceService/';
  await time('ServerLive', 3000, () => call(M + 'ServerLive', live));
  await time('ModelInfer add raw', 3000, () => call(M + 'ModelInfer', addRaw));
  await time('ModelInfer add typed', 3000, () => call(M + 'ModelInfer', addTyped));
  await time('ModelInfer add raw', 10000, () => call(M + 'ModelInfer', addRaw), 16);
  await time('Predict dynamic_batch', 3000, () => call('/predict.Predictor/Predict', dbPredict));
  await time('ModelInfer squeezenet raw', 60, () => call(M + 'ModelInfer', sqRaw));
  await time('Predict squeezenet', 60, () => call('/predict.Predictor/Predict', sqPredict));
  client.close();
})();
