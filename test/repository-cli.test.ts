import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveModelDir } from '../ts/repository/model-dir';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';
import { fetchJson, postJson, startRestServer } from './helpers/rest-server';

const ROOT = path.resolve(__dirname, '..');
const x4 = { x: { type: 'float32' as const, dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) } };
const inferBody = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };

/** Starts `npx proton-serve ARGS` on free loopback ports and resolves with its REST URL, read from the banner. */
function startCli(args: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn('npx', ['proton-serve', '--host', '127.0.0.1', '--grpc-port', '0', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner after 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /REST\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`proton-serve exited with ${code}:\n${output}`));
    });
  });
}

/** Stops the server (npx and the node process under it: the group this test started) and waits for it. */
async function stopCli(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

describe('npx proton-serve with a model repository and with --model-dir', () => {
  const repo = new TempRepository();
  beforeAll(() => {
    // The bin runs the built JavaScript: build it from this checkout's sources.
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'ignore', timeout: 180_000 });
  }, 200_000);
  afterAll(() => repo.dispose());

  it('--model-repository DIR --model-control-mode explicit --load-model m serves m and only m', async () => {
    repo.write('repo/m/1/model.onnx', scaleModel(3));
    repo.write('repo/other/1/model.onnx', scaleModel(4));
    const { url, child } = await startCli(['--model-repository', repo.path('repo'), '--model-control-mode', 'explicit', '--load-model', 'm', '--port', '0']);
    try {
      const reply = await postJson(`${url}/v2/models/m/infer`, inferBody);
      expect(reply.status, reply.text).toBe(200);
      const reference = await referenceRun(repo.path('repo/m/1/model.onnx'), x4);
      expect(reply.body.outputs[0].data).toEqual(Array.from(reference.y!.data as Float32Array));
      expect((await postJson(`${url}/v2/repository/index`, {})).body).toEqual([{ name: 'm', version: '1', state: 'READY' }, { name: 'other' }]);
      expect((await fetchJson(`${url}/v2/health/ready`)).status).toBe(200);
    } finally {
      await stopCli(child);
    }
  }, 90_000);

  it('--model-dir with one nested .onnx serves it as --model-name (--http-port)', async () => {
    repo.write('kserve/deep/er/model-v3.onnx', scaleModel(9));
    const { url, child } = await startCli(['--model-dir', repo.path('kserve'), '--model-name', 'iris', '--http-port', '0']);
    try {
      const reply = await postJson(`${url}/v2/models/iris/infer`, inferBody);
      expect(reply.status, reply.text).toBe(200);
      const reference = await referenceRun(repo.path('kserve/deep/er/model-v3.onnx'), x4);
      expect(reply.body.outputs[0].data).toEqual(Array.from(reference.y!.data as Float32Array));
    } finally {
      await stopCli(child);
    }
  }, 90_000);
});

describe('resolveModelDir', () => {
  const repo = new TempRepository();
  afterAll(() => repo.dispose());

  it('finds a single .onnx at any depth, and refuses none or several', () => {
    const file = repo.write('one/a/b/c/net.onnx', scaleModel(1));
    repo.write('one/a/readme.txt', 'not a model');
    expect(resolveModelDir(repo.path('one'), 'net')).toEqual({ kind: 'file', name: 'net', path: file });
    repo.write('two/x.onnx', scaleModel(1));
    repo.write('two/y/z.onnx', scaleModel(1));
    expect(() => resolveModelDir(repo.path('two'), 'm')).toThrow(/more than one \.onnx file inside \(x\.onnx, y\/z\.onnx\): expected exactly one/);
    repo.write('none/notes.txt', '');
    expect(() => resolveModelDir(repo.path('none'), 'm')).toThrow(/no \.onnx file inside/);
    expect(() => resolveModelDir(repo.path('missing'), 'm')).toThrow(/--model-dir .*missing/);
    expect(() => resolveModelDir(repo.path('one'), '../up')).toThrow(/--model-name/);
  });

  it('serves a one-model Triton layout as --model-name, and a larger one under its folder names', async () => {
    repo.write('triton/resnet/1/model.onnx', scaleModel(2));
    repo.write('triton/resnet/2/model.onnx', scaleModel(6));
    repo.write('triton/resnet/config.pbtxt', 'name: "resnet"\nversion_policy { all { } }\n');
    const plan = resolveModelDir(repo.path('triton'), 'classifier');
    expect(plan).toEqual({ kind: 'repository', roots: [repo.path('triton')], aliases: { classifier: 'resnet' } });
    if (plan.kind !== 'repository') throw new Error('unreachable');
    const server = await startRestServer({}, { repository: { roots: plan.roots, controlMode: 'none', loadModels: [], aliases: plan.aliases } });
    try {
      for (const [route, file] of [
        ['/v2/models/classifier/infer', 'triton/resnet/2/model.onnx'],
        ['/v2/models/classifier/versions/1/infer', 'triton/resnet/1/model.onnx'],
      ] as const) {
        const reply = await postJson(`${server.url}${route}`, inferBody);
        expect(reply.status, reply.text).toBe(200);
        const reference = await referenceRun(repo.path(file), x4);
        expect(reply.body.outputs[0].data).toEqual(Array.from(reference.y!.data as Float32Array));
      }
      expect((await postJson(`${server.url}/v2/models/resnet/infer`, inferBody)).status).toBe(404);
      expect((await fetchJson(`${server.url}/v2/models/classifier/config`)).body.name).toBe('classifier');
    } finally {
      await server.close();
    }
    repo.write('multi/a/1/model.onnx', scaleModel(1));
    repo.write('multi/b/1/model.onnx', scaleModel(1));
    expect(resolveModelDir(repo.path('multi'), 'x')).toEqual({ kind: 'repository', roots: [repo.path('multi')], aliases: {} });
  });
});
