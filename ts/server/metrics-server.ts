import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';

export interface MetricsServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * `GET /metrics` alone on its own port, as Triton serves it on 8002, so scrapers need no access
 * to the inference port. node:http is enough for one scrape every few seconds.
 */
export async function startMetricsServer(metrics: Metrics, host: string, port: number): Promise<MetricsServerHandle> {
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url !== '/metrics' && !url.startsWith('/metrics?')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not Found"}');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' }).end('{"error":"Method Not Allowed"}');
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `cannot collect metrics: ${(error as Error).message}` })),
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen for metrics on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, resolve);
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
