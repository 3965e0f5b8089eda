import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../ts/protocol/tensor';
import { CLI, connectionRefused, killLeftovers, processExists, spawnCli } from './helpers/cli-process';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { createClient, unary } from './grpc-test-support';

/**
 * Shutdown as Docker, systemd and Kubernetes trigger it: a signal to the process that was started
 * (here `npm start` itself), readiness turning false at once while serving goes on for the drain
 * delay, then exit 0 without waiting for idle gRPC connections.
 */

let config: string;
let addModel: string;
beforeAll(async () => {
  addModel = (await demoModels()).add;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'proton-drain-'));
  config = path.join(dir, 'proton.yaml');
  writeFileSync(config, ['log_level: WARN', 'models:', `  - { name: add, path: ${JSON.stringify(addModel)} }`].join('\n'));
});
afterAll(killLeftovers);

/** The pids whose parent is `pid`, read from /proc (what `ps --ppid` reads). */
function childrenOf(pid: number): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function addInputs(seed: number): { a: Tensor; b: Tensor } {
  return {
    a: { type: 'float32', dims: [1, 16], data: randomData('float32', 16, seed) } as Tensor,
    b: { type: 'float32', dims: [1, 16], data: randomData('float32', 16, seed + 1) } as Tensor,
  };
}

async function inferAdd(port: number, inputs: { a: Tensor; b: Tensor }): Promise<{ status: number; sum?: Tensor }> {
  const body = {
    inputs: Object.entries(inputs).map(([name, t]) => ({ name, datatype: 'FP32', shape: t.dims, data: Array.from(t.data as Float32Array) })),
  };
  const response = await fetch(`http://127.0.0.1:${port}/v2/models/add/infer`, { method: 'POST', body: JSON.stringify(body) });
  if (response.status !== 200) return { status: response.status };
  const json = (await response.json()) as { outputs: Array<{ shape: number[]; data: number[] }> };
  return { status: 200, sum: { type: 'float32', dims: json.outputs[0]!.shape, data: Float32Array.from(json.outputs[0]!.data) } as Tensor };
}

describe('npm start', () => {
  it('runs the server with no shell in between: SIGTERM to the npm process stops it, exit 0, port freed', async () => {
    const npm = spawnCli('npm', ['start', '--', '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0']);
    const ports = await npm.ports;
    const servers = childrenOf(npm.child.pid!);
    expect(servers).toHaveLength(1);
    expect(servers[0]!.command).toMatch(/^\S*node\S* dist\/ts\/server\/cli\.js --config /);
    expect((await fetch(`http://127.0.0.1:${ports.http}/v2/health/ready`)).status).toBe(200);

    npm.child.kill('SIGTERM');
    const exit = await npm.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    while (processExists(servers[0]!.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await connectionRefused(ports.http)).toBe(true);
    expect(await connectionRefused(ports.grpc)).toBe(true);
    expect(npm.output()).toContain('SIGTERM: not ready');
  });
});

describe('npm start under Ctrl-C', () => {
  it('drains once when the terminal signals npm and the server together, and exits 0', async () => {
    const npm = spawnCli('npm', ['start', '--', '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--drain-delay-secs', '1']);
    const ports = await npm.ports;
    const [server] = childrenOf(npm.child.pid!);
    // What Ctrl-C does: the whole foreground group gets SIGINT, and npm forwards its own copy.
    process.kill(server!.pid, 'SIGINT');
    npm.child.kill('SIGINT');
    expect(await npm.exited).toMatchObject({ code: 0, signal: null });
    expect(npm.output()).not.toContain('again: exiting without waiting');
    expect(npm.output().match(/SIGINT: not ready/g)).toHaveLength(1);
    expect(await connectionRefused(ports.http)).toBe(true);
  });

  it('exits at once, code 1, on a signal sent later during the drain', async () => {
    const cli = spawnCli(process.execPath, [CLI, '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0', '--drain-delay-secs', '60']);
    await cli.ports;
    cli.child.kill('SIGTERM');
    await cli.waitFor('SIGTERM: not ready');
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // past the duplicate-signal window
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toMatchObject({ code: 1, signal: null });
    expect(cli.output()).toContain('SIGTERM again: exiting without waiting');
  });
});

describe('graceful drain (--drain-delay-secs)', () => {
  it('turns readiness false at once, keeps serving through the delay, then exits 0 despite an idle gRPC connection', async () => {
    const exitTimeoutSecs = 60;
    const cli = spawnCli(process.execPath, [
      CLI, '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0',
      '--drain-delay-secs', '2', '--exit-timeout-secs', String(exitTimeoutSecs),
    ]);
    const ports = await cli.ports;
    const rest = `http://127.0.0.1:${ports.http}`;
    const inference = createClient('inference.proto', 'inference.GRPCInferenceService', `127.0.0.1:${ports.grpc}`);
    const health = createClient('health.proto', 'grpc.health.v1.Health', `127.0.0.1:${ports.grpc}`);
    const clients: Client[] = [inference, health];
    try {
      // Connected, then idle for the rest of the test: such a connection must not hold the exit.
      expect(await unary(inference, 'ServerReady', {})).toEqual({ ready: true });
      expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });

      const signalledAt = performance.now();
      cli.child.kill('SIGTERM');
      await cli.waitFor('SIGTERM: not ready');

      const ready = await fetch(`${rest}/v2/health/ready`);
      expect([ready.status, await ready.json()]).toEqual([400, { ready: false }]);
      const original = await fetch(`${rest}/ready`);
      expect([original.status, await original.json()]).toEqual([503, { healthy: false }]);
      const modelReady = await fetch(`${rest}/v2/models/add/ready`);
      expect([modelReady.status, await modelReady.json()]).toEqual([400, { name: 'add', ready: false }]);
      expect(await unary(inference, 'ServerReady', {})).toEqual({ ready: false });
      expect(await unary(health, 'Check', { service: '' })).toEqual({ status: 'NOT_SERVING' });
      const live = await fetch(`${rest}/v2/health/live`);
      expect([live.status, await live.json()]).toEqual([200, { live: true }]);
      expect(await unary(inference, 'ServerLive', {})).toEqual({ live: true });

      // Still serving during the delay, over a fresh connection: the answer matches onnxruntime-node.
      const inputs = addInputs(7);
      const served = await inferAdd(ports.http, inputs);
      const servedAt = performance.now();
      expect(served.status).toBe(200);
      expectTensorClose(served.sum!, (await referenceRun(addModel, inputs)).sum!);

      const exit = await cli.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      // Ordering, not tight timing: served before the exit, the exit after the delay, and well
      // before the exit timeout an idle gRPC connection would otherwise run into.
      expect(servedAt).toBeLessThan(exit.atMs);
      expect(exit.atMs - signalledAt).toBeGreaterThanOrEqual(2_000);
      expect(exit.atMs - signalledAt).toBeLessThan((exitTimeoutSecs * 1000) / 2);
      expect(await connectionRefused(ports.http)).toBe(true);
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('with the default delay of 0, stops accepting right after the signal and exits 0', async () => {
    const cli = spawnCli(process.execPath, [CLI, '--config', config, '--host', '127.0.0.1', '--port', '0', '--grpc-port', '0']);
    const ports = await cli.ports;
    expect((await inferAdd(ports.http, addInputs(3))).status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toMatchObject({ code: 0, signal: null });
    expect(cli.output()).toContain('SIGINT: not ready; serving for 0 s more');
    expect(await connectionRefused(ports.http)).toBe(true);
  });
});
