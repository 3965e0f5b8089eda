import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Tensor } from '../ts/protocol/tensor';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { loadUws } from '../ts/server/http/uws';
import { startRestServer } from './helpers/rest-server';
import { decodeInferResponse, rawBytes } from './helpers/v2-binary';

/** Start-up on port 0, graceful shutdown in-process, and the CLI as a child process. */

const ROOT = path.resolve(__dirname, '..');
const MAIN = path.join(ROOT, 'dist', 'ts', 'server', 'cli.js');
let paths: Awaited<ReturnType<typeof demoModels>>;

beforeAll(() => {
  // The CLI runs from dist/: compile the current sources first (incremental, fast when up to date).
  // Type errors are the lint step's business; tsc still emits, and only a missing entry point stops us.
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8' });
  if (!fs.existsSync(MAIN)) throw new Error(`tsc did not produce ${MAIN}:\n${tsc.stdout}${tsc.stderr}`);
}, 120_000);
beforeAll(async () => {
  paths = await demoModels();
});

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

function squeezenetRequest(data: Tensor): { body: Buffer; headers: Record<string, string> } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'data', datatype: 'FP32', shape: [1, 3, 224, 224], parameters: { binary_data_size: 602112 } }],
      outputs: [{ name: 'softmaxout_1', parameters: { binary_data: true } }],
    }),
  );
  return {
    body: Buffer.concat([header, rawBytes(data)]),
    headers: { 'inference-header-content-length': String(header.length) },
  };
}

describe('startServer', () => {
  it('runs uWebSockets.js on its native binary, never on the JavaScript fallback', () => {
    const uws = loadUws();
    expect(Function.prototype.toString.call(uws.App)).toContain('[native code]');
  });

  it('binds both protocols on port 0 and reports the chosen ports', async () => {
    const server = await startRestServer({ add: { path: paths.add } });
    try {
      expect(server.server.httpPort).toBeGreaterThan(0);
      expect(server.server.grpcPort).toBeGreaterThan(0);
      expect(server.server.httpPort).not.toBe(server.server.grpcPort);
      expect(await connectionRefused(server.server.grpcPort)).toBe(false);
      expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(server.server.registry.get('add').model.ready).toBe(false);
  });

  it('fails to start, naming the model, when a model does not load; nothing stays open', async () => {
    const broken = path.join(os.tmpdir(), `proton-broken-${process.pid}.onnx`);
    fs.writeFileSync(broken, 'not an onnx model');
    await expect(startRestServer({ add: { path: paths.add }, broken: { path: broken } })).rejects.toThrow(/cannot load model 'broken'/);
  });

  it('close() stops accepting, answers every accepted request, then closes the models', async () => {
    const server = await startRestServer({ squeezenet: { path: paths['squeezenet1.0'] } });
    const model = server.server.registry.get('squeezenet').model;
    const data: Tensor = { type: 'float32', dims: [1, 3, 224, 224], data: randomData('float32', 150528, 51) } as Tensor;
    const reference = await referenceRun(paths['squeezenet1.0'], { data });
    const request = squeezenetRequest(data);

    // A keep-alive connection opened before shutdown, used during it.
    const idle = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => idle.on('connect', resolve));

    const count = 24;
    const responses = Array.from({ length: count }, () =>
      fetch(`${server.url}/v2/models/squeezenet/infer`, { method: 'POST', headers: request.headers, body: request.body }),
    );
    // Wait until the model has accepted every request, then shut down with work still queued.
    const baseline = model.stats().inferences;
    while (model.stats().pending + model.stats().inferences - baseline < count) await new Promise((r) => setTimeout(r, 2));
    const pendingAtClose = model.stats().pending;
    const closed = server.close();

    expect(await connectionRefused(server.port)).toBe(true);
    const lateAnswer = new Promise<string>((resolve) => {
      let text = '';
      idle.on('data', (chunk) => (text += chunk.toString('latin1')));
      idle.on('close', () => resolve(text));
    });
    idle.write('POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');

    for (const response of await Promise.all(responses)) {
      expect(response.status).toBe(200);
      expectTensorClose((await decodeInferResponse(response)).outputs.softmaxout_1, reference.softmaxout_1);
    }
    await closed;
    expect(pendingAtClose).toBeGreaterThan(0);
    expect(await lateAnswer).toMatch(/^HTTP\/1\.1 503[\s\S]*server is shutting down/);
    expect(model.ready).toBe(false);
  });
});

describe('the CLI (node dist/ts/server/cli.js)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-cli-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  function writeConfig(text: string): string {
    const file = path.join(dir, `config-${children.length}-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, text);
    return file;
  }

  /** Spawns the CLI; resolves once it printed its REST address, with the port. */
  function startCli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null>; port: Promise<number> } {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = new Promise<number>((resolve, reject) => {
      const check = (): void => {
        const match = /REST\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolve(Number(match[1]));
      };
      child.stdout!.on('data', check);
      exited.then(() => reject(new Error(`the CLI exited before listening:\n${output}`)));
    });
    port.catch(() => undefined); // only the tests that await the port care
    return { child, output: () => output, exited, port };
  }

  it('serves a config file, answers a request accepted before SIGTERM, and exits 0', async () => {
    const config = writeConfig(
      [
        'server: { num_threads: 1, buffer_size: 64, port: 1, grpc_port: 2 }',
        'log_level: WARN',
        'models:',
        `  - { name: dynamic_batch, path: ${JSON.stringify(path.relative(dir, paths.dynamic_batch))} }`,
      ].join('\n'),
    );
    // Ports 1 and 2 would fail: the flags must override them.
    const cli = startCli(['--config', config, '--port', '0', '--grpc-port', '0', '--host', '127.0.0.1']);
    const port = await cli.port;
    expect(cli.output()).toMatch(/dynamic_batch: x float32\[N,4\] -> y float32\[N,3\]/);
    expect(await (await fetch(`http://127.0.0.1:${port}/models`)).json()).toEqual({ models: [{ name: 'dynamic_batch' }] });

    // Send the head and half the body, wait for 100 Continue (the request is accepted), then SIGTERM.
    const x: Tensor = { type: 'float32', dims: [2, 4], data: randomData('float32', 8, 52) } as Tensor;
    const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: Array.from(x.data as Float32Array) }] });
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString('latin1')));
    const socketClosed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /v2/models/dynamic_batch/infer HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    while (!reply.includes('100 Continue')) await new Promise((r) => setTimeout(r, 2));
    cli.child.kill('SIGTERM');
    while (!cli.output().includes('SIGTERM: not ready')) await new Promise((r) => setTimeout(r, 2));
    socket.write(body.slice(10));
    await socketClosed;

    expect(await cli.exited).toBe(0);
    const response = reply.slice(reply.indexOf('HTTP/1.1 200'));
    expect(response).toMatch(/^HTTP\/1\.1 200 OK/);
    const json = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    const reference = await referenceRun(paths.dynamic_batch, { x });
    expectTensorClose({ type: 'float32', dims: json.outputs[0].shape, data: Float32Array.from(json.outputs[0].data) }, reference.y);
  });

  it('rejects an invalid config with the key and why, exit code 1', async () => {
    const config = writeConfig(['server: { buffer_size: 0 }', 'models:', '  - { name: m, path: m.onnx, batch: 4 }'].join('\n'));
    const cli = startCli(['--config', config]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain('server.buffer_size: expected a positive integer');
    expect(cli.output()).toContain('models[0].batch: unknown key');
  });

  it('rejects an invalid port flag, exit code 1', async () => {
    const cli = startCli(['--port', 'http']);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/--port.*expected a port number/);
  });
});
