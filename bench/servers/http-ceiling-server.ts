/**
 * The HTTP ceiling: a uWebSockets.js server that reads a V2 infer request's whole body and answers
 * a fixed small response without decoding or inference. What no inference server on uWS can beat.
 * Usage: node dist/bench/servers/http-ceiling-server.js --model name=path ... --port P
 */
import type { ModelMetadata } from '../../ts/model-types';
import { loadUws, type ListenSocket, type TemplatedApp } from '../../ts/server/http/uws';
import { readMetadata, v2ModelMetadata } from './ort-metadata';
import { parseServerArgs } from './server-cli';
import { exitOnSignal, failStartup } from './shutdown';

async function main(): Promise<void> {
  const args = parseServerArgs('http-ceiling-server', 'uWebSockets.js answering V2 infer requests without inference');
  const metadata = new Map<string, ModelMetadata>();
  for (const model of args.models) metadata.set(model.name, await readMetadata(model.path));

  const uws = loadUws();
  const app = uws.App() as TemplatedApp;
  app.get('/v2/health/ready', (res) => {
    res.writeHeader('Content-Type', 'application/json').end('{"ready":true}');
  });
  app.get('/v2/models/:model', (res, req) => {
    const name = req.getParameter(0) ?? '';
    const model = metadata.get(name);
    if (!model) return void res.writeStatus('404 Not Found').end(JSON.stringify({ error: `unknown model '${name}'` }));
    res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(v2ModelMetadata(name, model)));
  });
  app.post('/v2/models/:model/infer', (res, req) => {
    const answer = `{"model_name":${JSON.stringify(req.getParameter(0) ?? '')},"model_version":"1","outputs":[]}`;
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    // The chunks are not kept, so nothing is copied; the answer waits for the last one.
    res.onData((_chunk, isLast) => {
      if (!isLast || aborted) return;
      res.cork(() => {
        res.writeHeader('Content-Type', 'application/json').end(answer);
      });
    });
  });

  const listenSocket = await new Promise<ListenSocket>((resolve, reject) => {
    app.listen(args.host, args.port, (socket) => (socket ? resolve(socket) : reject(new Error(`cannot listen on ${args.host}:${args.port}`))));
  });
  console.log(`http-ceiling-server: REST ${args.port}, ${metadata.size} model(s)`);
  exitOnSignal(async () => {
    uws.us_listen_socket_close(listenSocket);
    app.close();
  });
}

main().catch(failStartup);
