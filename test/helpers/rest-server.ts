import type { ModelLoadOptions } from '../../ts/model-types';
import type { ServerConfig } from '../../ts/server/config';
import { silentLogger } from '../../ts/server/logger';
import { startServer, type RunningServer } from '../../ts/server/server';

/** A model to serve in a test: its file and optional load options. */
export interface TestModel {
  path: string;
  options?: ModelLoadOptions;
}

/** A real Proton server on free ports of 127.0.0.1, for tests that talk to it with fetch. */
export interface RestTestServer {
  readonly server: RunningServer;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the whole server (REST and gRPC) on port 0 with the given models. */
export async function startRestServer(
  models: Record<string, TestModel>,
  overrides: Partial<Omit<ServerConfig, 'models'>> = {},
  shutdownTimeoutMs = 5_000,
): Promise<RestTestServer> {
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    grpcPort: 0,
    maxBodyBytes: 64 * 1024 * 1024,
    logLevel: 'ERROR',
    ...overrides,
    models: Object.entries(models).map(([name, model]) => ({
      name,
      path: model.path,
      options: { intraOpNumThreads: 1, ...model.options },
    })),
  };
  const server = await startServer(config, { logger: silentLogger(), shutdownTimeoutMs });
  return {
    server,
    url: `http://127.0.0.1:${server.httpPort}`,
    port: server.httpPort,
    close: () => server.close(),
  };
}

/** fetch + JSON body, returning the status, the parsed body and the raw text. */
export async function fetchJson(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** POSTs a JSON value. */
export function postJson(url: string, value: unknown, headers: Record<string, string> = {}) {
  return fetchJson(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  });
}

/** Polls `condition` every few milliseconds until it holds (or fails the test after `timeoutMs`). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The `error` message of a JSON error response. */
export async function errorOf(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: unknown };
  return String(body.error);
}
