import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { Tensor } from '../ts/protocol/tensor';
import { ModelRegistry } from '../ts/repository/model-registry';
import { ModelRepository } from '../ts/repository/model-repository';
import { demoModels } from './helpers/models';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';

const input = { x: { type: 'float32' as const, dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) } };
const values = (tensor: Tensor | undefined): number[] => Array.from(tensor!.data as Float32Array);

/** Clients calling `registry.get(name).model.infer` back to back until `stop()`; every outcome is kept. */
function clients(registry: ModelRegistry, name: string, count: number) {
  const answers: number[][] = [];
  const failures: unknown[] = [];
  let running = true;
  const loops = Array.from({ length: count }, async () => {
    while (running) {
      try {
        const outputs = await registry.get(name).model.infer(input);
        answers.push(values(outputs.y));
      } catch (error) {
        failures.push(error);
      }
    }
  });
  return {
    answers,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('zero-downtime reload', () => {
  const repo = new TempRepository();
  afterAll(() => repo.dispose());

  it('4 clients through 20 reloads: no failure, every answer from the old or the new version', async () => {
    const files = { 2: repo.write('scales/2.onnx', scaleModel(2)), 3: repo.write('scales/3.onnx', scaleModel(3)) };
    const expected = [values((await referenceRun(files[2], input)).y), values((await referenceRun(files[3], input)).y)];
    repo.write('r/1/model.onnx', scaleModel(2));
    repo.write('r/config.pbtxt', 'max_batch_size: 4\ndynamic_batching { }\nmodel_warmup [ { name: "w" batch_size: 1 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [4] zero_data: true } } } ]\n');
    const registry = new ModelRegistry();
    const repository = new ModelRepository(registry, { roots: [repo.root], controlMode: 'explicit', loadModels: ['r'] });
    await repository.start();
    const load = clients(registry, 'r', 4);
    try {
      for (let reload = 0; reload < 20; reload++) {
        repo.write('r/1/model.onnx', scaleModel(reload % 2 === 0 ? 3 : 2));
        const before = load.answers.length;
        await repository.load('r');
        // Let the clients get answers from each version before the next switch.
        while (load.answers.length < before + 20) await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    const seen = new Set(load.answers.map((answer) => JSON.stringify(answer)));
    expect([...seen].sort()).toEqual(expected.map((answer) => JSON.stringify(answer)).sort());
    expect(registry.index()).toEqual([{ name: 'r', version: '1', state: 'READY', reason: '', expected: true }]);
    console.log(`reload under load: ${load.answers.length} answers across 20 reloads, 0 failures`);
    await registry.closeAll();
  });

  it('unload while busy: accepted requests finish, new ones fail at once with UNAVAILABLE', async () => {
    const mlp = (await demoModels()).mlp;
    repo.write('busy/1/model.onnx', fs.readFileSync(mlp));
    const registry = new ModelRegistry();
    const repository = new ModelRepository(registry, { roots: [repo.root], controlMode: 'explicit', loadModels: ['busy'] });
    await repository.start();
    const x = { x: { type: 'float32' as const, dims: [1, 256], data: Float32Array.from({ length: 256 }, (_, i) => (i % 7) / 7) } };
    const reference = values((await referenceRun(mlp, x)).y);
    const model = registry.get('busy').model;
    const accepted = Array.from({ length: 300 }, () => model.infer(x));
    const unloading = repository.unload('busy');
    await Promise.resolve();
    await Promise.resolve();
    expect(registry.state('busy', '1')?.state).toBe('UNLOADING');
    expect(() => registry.get('busy')).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    expect(() => registry.get('busy', '1')).toThrow(/version 1 is UNLOADING/);
    expect(model.stats().pending).toBeGreaterThan(0);
    const outputs = await Promise.all(accepted);
    for (const out of outputs) expect(values(out.y)).toEqual(reference);
    await unloading;
    expect(model.ready).toBe(false);
    expect(registry.state('busy', '1')).toEqual({ state: 'UNAVAILABLE', reason: 'unloaded' });
    expect(() => registry.get('busy')).toThrow(/has no ready version \(1: UNAVAILABLE unloaded\)/);
  });

  it('200 load/unload cycles return their memory', async () => {
    const mlp = (await demoModels()).mlp;
    repo.write('cycle/1/model.onnx', fs.readFileSync(mlp));
    // glibc gives threads their own malloc arenas and keeps what they freed; each load starts new
    // model threads, so on a busy machine arenas multiply (measured: +48 to +64 MB here, flat with
    // MALLOC_ARENA_MAX=2). Cap them, as a deployment should, so a leak is what the figure shows.
    const fixture = path.join(__dirname, 'fixtures', 'repository-cycles.ts');
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, repo.root, '200'], {
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { first, last, samples } = JSON.parse(run.stdout) as { first: number; last: number; samples: number[] };
    const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
    console.log(`200 load/unload cycles of mlp (5.3 MB of weights): RSS ${mb(first)} MB after warm-up, ${mb(last)} MB after the last (${mb(last - first)} MB; every 50 cycles: ${samples.map(mb).join(', ')})`);
    expect(last - first).toBeLessThan(30 * 1048576);
  }, 180_000);
});

describe('poll mode', () => {
  const repo = new TempRepository();
  afterAll(() => repo.dispose());

  it('picks up a new version, a removed version, a changed config and a removed model; a failed reload keeps the old one', async () => {
    const expected = {
      2: values((await referenceRun(repo.write('ref/2.onnx', scaleModel(2)), input)).y),
      5: values((await referenceRun(repo.write('ref/5.onnx', scaleModel(5)), input)).y),
    };
    repo.remove('ref');
    repo.write('p/1/model.onnx', scaleModel(2));
    repo.write('p/config.pbtxt', 'max_batch_size: 4\n');
    const registry = new ModelRegistry();
    const repository = new ModelRepository(registry, { roots: [repo.root], controlMode: 'poll', pollSecs: 3600 });
    await repository.start();
    await expect(repository.load('p')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const load = clients(registry, 'p', 4);
    try {
      // A new version: with the default policy (latest 1) it replaces version 1.
      repo.write('p/2/model.onnx', scaleModel(5));
      await repository.poll();
      expect(registry.index().map((row) => [row.version, row.state])).toEqual([
        ['1', 'UNAVAILABLE'],
        ['2', 'READY'],
      ]);
      expect(registry.get('p').version).toBe('2');

      // Serve both, then remove version 2: it unloads, version 1 keeps serving.
      repo.write('p/config.pbtxt', 'max_batch_size: 4\nversion_policy { all { } }\n');
      await repository.poll();
      expect(registry.versions('p').map((served) => served.version)).toEqual(['1', '2']);
      repo.remove('p/2');
      await repository.poll();
      expect(registry.versions('p').map((served) => served.version)).toEqual(['1']);
      expect(registry.state('p', '2')?.state).toBe('UNAVAILABLE');

      // A broken config fails the reload and keeps version 1 serving.
      repo.write('p/config.pbtxt', 'max_batch_size: 4\nversion_policy { all { } }\nsequence_batching { }\n');
      await repository.poll();
      expect(registry.get('p').version).toBe('1');
      // So does a corrupt model file.
      repo.write('p/config.pbtxt', 'max_batch_size: 4\n');
      repo.write('p/1/model.onnx', new Uint8Array([1, 2, 3]));
      await repository.poll();
      expect(registry.state('p', '1')?.state).toBe('READY');
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    const seen = new Set(load.answers.map((answer) => JSON.stringify(answer)));
    expect([...seen].sort()).toEqual([JSON.stringify(expected[2]), JSON.stringify(expected[5])].sort());

    repo.remove('p');
    await repository.poll();
    expect(registry.has('p')).toBe(false);
    expect(repository.index()).toEqual([]);
    await repository.close();
    await registry.closeAll();
  });
});
