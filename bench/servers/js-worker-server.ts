/**
 * The JavaScript baselines behind Proton's own uWebSockets.js and grpc-js front-ends (same routes,
 * same V2 codecs): onnxruntime-node in one worker_thread per model (`--inference worker`, the JS
 * worker path, tensors moved with transfer lists) or awaited on the event loop (`--inference
 * event-loop`). Only the inference path differs from Proton.
 * Usage: node dist/bench/servers/js-worker-server.js --model name=path ... --port P --grpc-port G [--threads 1] [--inference worker]
 */
import { startGrpcServer, type GrpcServerHandle } from '../../ts/server/grpc/grpc-server';
import { startHttpServer } from '../../ts/server/http/http-server';
import { createLogger } from '../../ts/server/logger';
import { createMetrics } from '../../ts/server/metrics';
import { ModelRegistry } from '../../ts/repository/model-registry';
import { EventLoopModel } from './js-worker/event-loop-model';
import { WorkerModel } from './js-worker/worker-model';
import { parseServerArgs } from './server-cli';
import { exitOnSignal, failStartup } from './shutdown';

async function main(): Promise<void> {
  const args = parseServerArgs('js-worker-server', 'uWS + grpc-js front-ends, onnxruntime-node in worker_threads or on the event loop');
  const registry = new ModelRegistry();
  const start = args.inference === 'event-loop' ? EventLoopModel.start : WorkerModel.start;
  const models = await Promise.all(args.models.map((model) => start(model.path, args.threads)));
  args.models.forEach((model, index) => registry.add({ name: model.name, version: '1', model: models[index]! }));

  // The same settings as the suite's Proton config: WARN logging, the default limits.
  const logger = createLogger('WARN');
  const metrics = createMetrics();
  const http = await startHttpServer(registry, { host: args.host, port: args.port, metrics, logger });
  let grpc: GrpcServerHandle | undefined;
  if (args.grpcPort !== undefined) grpc = await startGrpcServer(registry, { host: args.host, port: args.grpcPort, metrics, logger });
  console.log(`js-worker-server (${args.inference}): REST ${http.port}${grpc ? `, gRPC ${grpc.port}` : ''}, ${args.models.length} model(s)`);

  exitOnSignal(async () => {
    await Promise.all([http.close(), grpc?.close()]);
    await registry.closeAll();
  });
}

main().catch(failStartup);
