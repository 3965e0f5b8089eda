import { Model } from '/work/main/ts/model';
import { ModelRegistry } from '/work/main/ts/server/model-registry';
import { startGrpcServer } from '/work/main/ts/server/grpc/grpc-server';
(async () => {
  const registry = new ModelRegistry();
  for (const [name, file] of [['add', 'add'], ['squeezenet', 'squeezenet1.0'], ['dynamic_batch', 'dynamic_batch']]) {
    registry.add({ name: name!, version: '1', model: await Model.load(`/work/main/models/${file}.onnx`, { intraOpNumThreads: 1 }) });
  }
  const server = await startGrpcServer(registry, { host: '127.0.0.1', port: 50999 });
  console.log('ready');
  process.on('SIGTERM', async () => { await server.close(); await registry.closeAll(); process.exit(0); });
})();
