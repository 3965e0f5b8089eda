/**
 * The gRPC ceiling: a grpc-js server whose ModelInfer decodes the request (grpc-js always does)
 * and answers a fixed small response without inference. What no inference server on grpc-js can
 * beat. ModelMetadata answers from the model files so clients can prepare their requests.
 * Usage: node dist/bench/servers/grpc-ceiling-server.js --model name=path ... --port P (the gRPC port)
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ModelMetadata } from '../../ts/model-types';
import { toV2Datatype } from '../../ts/protocol/datatypes';
import { toV2Shape } from '../../ts/protocol/model-metadata';
import { inferenceService } from '../common/inference-proto';
import { readMetadata } from './ort-metadata';
import { parseServerArgs } from './server-cli';
import { exitOnSignal, failStartup } from './shutdown';

async function main(): Promise<void> {
  const args = parseServerArgs('grpc-ceiling-server', 'grpc-js answering ModelInfer with a fixed reply, no inference');
  const metadata = new Map<string, ModelMetadata>();
  for (const model of args.models) metadata.set(model.name, await readMetadata(model.path));

  const answers = new Map([...metadata.keys()].map((name) => [name, { model_name: name, model_version: '1', id: '', outputs: [], raw_output_contents: [] }]));
  const implementation: UntypedServiceImplementation = {
    ModelInfer: (call: ServerUnaryCall<{ model_name: string }, object>, callback: sendUnaryData<object>) => {
      const answer = answers.get(call.request.model_name);
      if (answer === undefined) callback({ code: status.NOT_FOUND, details: `unknown model '${call.request.model_name}'` });
      else callback(null, answer);
    },
    ModelMetadata: (call: ServerUnaryCall<{ name: string }, object>, callback: sendUnaryData<object>) => {
      const model = metadata.get(call.request.name);
      if (model === undefined) return callback({ code: status.NOT_FOUND, details: `unknown model '${call.request.name}'` });
      const describe = (info: ModelMetadata['inputs'][number]) => ({ name: info.name, datatype: toV2Datatype(info.type), shape: toV2Shape(info.shape) });
      callback(null, { name: call.request.name, versions: ['1'], platform: 'onnxruntime_onnx', inputs: model.inputs.map(describe), outputs: model.outputs.map(describe) });
    },
  };
  const server = new Server({ 'grpc.max_receive_message_length': 2 ** 31 - 1 });
  server.addService(inferenceService(), implementation);
  const address = `${args.host}:${args.port}`;
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
  console.log(`grpc-ceiling-server: gRPC ${args.port}, ${metadata.size} model(s)`);
  exitOnSignal(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
}

main().catch(failStartup);
