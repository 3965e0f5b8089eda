import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

/** The repository root, whether this runs from test/helpers or compiled under dist/test/helpers (npm run soak). */
const above = path.resolve(__dirname, '..', '..');
export const ROOT = path.basename(above) === 'dist' ? path.dirname(above) : above;
/** The compiled CLI (test/global-setup.ts compiles it). */
export const CLI = path.join(ROOT, 'dist', 'ts', 'server', 'cli.js');

/** A server started as a child process, with what it printed and when it exited. */
export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the time of exit. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** Resolves with the REST and gRPC ports once the server printed them; rejects if it exits first. */
  readonly ports: Promise<{ http: number; grpc: number }>;
  /** Resolves once `text` appears in the output. */
  waitFor(text: string): Promise<void>;
}

const children: ChildProcess[] = [];

/** Kills what a test file left running, grandchildren included (call from afterAll). */
export function killLeftovers(): void {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  }
}

/** Spawns `command args` from the repository root and follows its output. */
export function spawnCli(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  // Its own process group, so that killLeftovers reaches what it started (npm's child).
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const listeners: Array<() => void> = [];
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  const waitFor = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (output.includes(text)) resolve();
      };
      listeners.push(check);
      check();
      exited.then(() => reject(new Error(`exited before printing '${text}':\n${output}`)));
    });
  const ports = waitFor('gRPC  ').then(() => {
    const http = /REST\s+http:\/\/[^\s]+:(\d+)/.exec(output);
    const grpc = /gRPC\s+[^\s]+:(\d+)/.exec(output);
    if (!http || !grpc) throw new Error(`no ports in the output:\n${output}`);
    return { http: Number(http[1]), grpc: Number(grpc[1]) };
  });
  ports.catch(() => undefined); // only the tests that await the ports care
  return { child, output: () => output, exited, ports, waitFor };
}

/** True when nothing listens on the loopback port any more. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
