import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { BenchModel } from './bench-models';
import { ChildProcessHandle } from './child-process';
import { freePort, httpReady, tcpOpen } from './network';
import { compiledScript } from './paths';
import type { ServerId } from './variants';

/** A benchmark server running as a child process. */
export interface StartedServer {
  id: ServerId;
  httpPort: number;
  /** Undefined for servers without gRPC. */
  grpcPort: number | undefined;
  process: ChildProcessHandle;
}

export interface ServerLaunch {
  models: readonly BenchModel[];
  /** ONNX Runtime intra-op threads per model instance, the same for every server. */
  threads: number;
  /** Extra node arguments for the Proton child (e.g. --cpu-prof). */
  protonNodeArgs: readonly string[];
  logDir: string;
}

const READY_TIMEOUT_MS = 180_000;
const POLL_MS = 100;

const SCRIPTS: Readonly<Record<Exclude<ServerId, 'ort-ceiling'>, string>> = {
  proton: 'ts/server/cli',
  'js-worker': 'bench/servers/js-worker-server',
  'node-http': 'bench/servers/node-http-server',
  'http-ceiling': 'bench/servers/http-ceiling-server',
};

const HAS_GRPC: ReadonlySet<ServerId> = new Set(['proton', 'js-worker']);

/** Starts the server on free loopback ports and resolves once it answers `GET /v2/health/ready`. */
export async function startServerChild(id: Exclude<ServerId, 'ort-ceiling'>, launch: ServerLaunch): Promise<StartedServer> {
  const httpPort = await freePort();
  const grpcPort = HAS_GRPC.has(id) ? await freePort() : undefined;
  const ports = ['--host', '127.0.0.1', '--port', String(httpPort), ...(grpcPort === undefined ? [] : ['--grpc-port', String(grpcPort)])];
  const args =
    id === 'proton'
      ? ['--config', await writeProtonConfig(launch), ...ports]
      : [...launch.models.flatMap((model) => ['--model', `${model.name}=${model.path}`]), '--threads', String(launch.threads), ...ports];
  const nodeArgs = id === 'proton' ? launch.protonNodeArgs : [];
  const child = ChildProcessHandle.start(id, nodeArgs, compiledScript(SCRIPTS[id]), args, path.join(launch.logDir, `${id}.log`));
  try {
    await waitUntilServing(child, httpPort, grpcPort);
  } catch (error) {
    await child.stop(5_000);
    throw error;
  }
  return { id, httpPort, grpcPort, process: child };
}

/**
 * Proton's YAML config (the original schema): the same intra-op threads as every other server,
 * one instance per model, no batching, WARN logging so request logs cost nothing.
 */
async function writeProtonConfig(launch: ServerLaunch): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'proton-bench-'));
  const file = path.join(dir, 'config.yaml');
  const config = {
    server: { num_threads: launch.threads, buffer_size: 1024 },
    log_level: 'WARN',
    models: launch.models.map((model) => ({ name: model.name, path: model.path })),
  };
  await writeFile(file, toYaml(config));
  return file;
}

async function waitUntilServing(child: ChildProcessHandle, httpPort: number, grpcPort: number | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!child.running) throw new Error(`${child.label} exited during start-up:\n${child.tail()}`);
    if ((await httpReady(httpPort)) && (grpcPort === undefined || (await tcpOpen(grpcPort)))) return;
    if (Date.now() > deadline) throw new Error(`${child.label} did not become ready within ${READY_TIMEOUT_MS / 1000} s:\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
