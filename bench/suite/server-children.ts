import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ChildProcessHandle } from '../common/child-process';
import type { BenchModelFile } from '../common/models';
import { freePort, httpReady, tcpOpen } from '../common/network';
import { compiledScript } from '../common/paths';
import type { ServerId } from './variants';

/** A benchmark server running as a child process. */
export interface StartedServer {
  id: ServerId;
  /** Undefined for servers without REST (the gRPC ceiling). */
  httpPort: number | undefined;
  /** Undefined for servers without gRPC. */
  grpcPort: number | undefined;
  process: ChildProcessHandle;
}

export interface ServerLaunch {
  models: readonly BenchModelFile[];
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
  'grpc-ceiling': 'bench/servers/grpc-ceiling-server',
  'ort-event-loop': 'bench/servers/js-worker-server',
};

/** Extra arguments of the servers that share a script. */
const EXTRA_ARGS: Readonly<Partial<Record<ServerId, readonly string[]>>> = {
  'js-worker': ['--inference', 'worker'],
  'ort-event-loop': ['--inference', 'event-loop'],
};

const HAS_REST: ReadonlySet<ServerId> = new Set(['proton', 'js-worker', 'ort-event-loop', 'node-http', 'http-ceiling']);
const HAS_GRPC: ReadonlySet<ServerId> = new Set(['proton', 'js-worker', 'ort-event-loop', 'grpc-ceiling']);

/** Starts the server on free loopback ports and resolves once it serves (`GET /v2/health/ready`, or the gRPC port open). */
export async function startServerChild(id: Exclude<ServerId, 'ort-ceiling'>, launch: ServerLaunch): Promise<StartedServer> {
  const httpPort = HAS_REST.has(id) ? await freePort() : undefined;
  const grpcPort = HAS_GRPC.has(id) ? await freePort() : undefined;
  // The gRPC ceiling serves gRPC only: its --port is the gRPC port.
  const ports =
    httpPort === undefined
      ? ['--host', '127.0.0.1', '--port', String(grpcPort)]
      : ['--host', '127.0.0.1', '--port', String(httpPort), ...(grpcPort === undefined ? [] : ['--grpc-port', String(grpcPort)])];
  const modelArgs = launch.models.flatMap((model) => ['--model', `${model.name}=${model.path}`]);
  const args =
    id === 'proton'
      ? ['--config', await writeProtonConfig(launch), ...ports]
      : [...modelArgs, '--threads', String(launch.threads), ...ports, ...(EXTRA_ARGS[id] ?? [])];
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

async function waitUntilServing(child: ChildProcessHandle, httpPort: number | undefined, grpcPort: number | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (!child.running) throw new Error(`${child.label} exited during start-up:\n${child.tail()}`);
    if ((httpPort === undefined || (await httpReady(httpPort))) && (grpcPort === undefined || (await tcpOpen(grpcPort)))) return;
    if (Date.now() > deadline) throw new Error(`${child.label} did not become ready within ${READY_TIMEOUT_MS / 1000} s:\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
