/**
 * The common way to serve ONNX from Node.js: node:http, onnxruntime-node in the main thread,
 * Open Inference Protocol JSON (and the binary extension). Inference blocks the event loop.
 * Usage: node dist/bench/servers/node-http-server.js --model name=path ... --port P [--threads 1]
 */
import http from 'node:http';
import * as ort from 'onnxruntime-node';
import { binaryFeeds, binaryResponse } from './node-http/v2-binary';
import { jsonFeeds, jsonResponse } from './node-http/v2-json';
import { metadataOfSession, v2ModelMetadata } from './ort-metadata';
import { parseServerArgs } from './server-cli';
import { exitOnSignal, failStartup } from './shutdown';

const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(\/infer)?$/;

async function main(): Promise<void> {
  const args = parseServerArgs('node-http-server', 'node:http with onnxruntime-node in the main thread');
  const sessions = new Map<string, ort.InferenceSession>();
  for (const model of args.models) {
    sessions.set(model.name, await ort.InferenceSession.create(model.path, { intraOpNumThreads: args.threads, interOpNumThreads: 1 }));
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(sessions, request, Buffer.concat(chunks), response).catch((error: unknown) => {
        send(response, 500, 'application/json', JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(args.port, args.host, resolve));
  console.log(`node-http-server: REST ${args.port}, ${sessions.size} model(s)`);

  exitOnSignal(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await Promise.all([...sessions.values()].map((session) => session.release()));
  });
}

async function handle(
  sessions: Map<string, ort.InferenceSession>,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
): Promise<void> {
  const url = request.url ?? '/';
  if (request.method === 'GET' && url === '/v2/health/ready') return send(response, 200, 'application/json', '{"ready":true}');
  const match = MODEL_ROUTE.exec(url);
  const name = match ? decodeURIComponent(match[1]!) : '';
  const session = sessions.get(name);
  if (!match || !session) return send(response, 404, 'application/json', JSON.stringify({ error: `no route or model for ${url}` }));

  if (request.method === 'GET' && match[2] === undefined) {
    return send(response, 200, 'application/json', JSON.stringify(v2ModelMetadata(name, metadataOfSession(session))));
  }
  if (request.method !== 'POST' || match[2] === undefined) return send(response, 405, 'application/json', '{"error":"method not allowed"}');

  const headerLength = request.headers['inference-header-content-length'];
  if (typeof headerLength === 'string') {
    const results = await session.run(binaryFeeds(body, Number(headerLength)));
    const answer = binaryResponse(name, results);
    response.setHeader('Inference-Header-Content-Length', String(answer.headerLength));
    return send(response, 200, 'application/octet-stream', answer.body);
  }
  const results = await session.run(jsonFeeds(body));
  return send(response, 200, 'application/json', jsonResponse(name, results));
}

function send(response: http.ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

main().catch(failStartup);
