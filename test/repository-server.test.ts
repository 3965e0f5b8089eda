import { afterAll, describe, expect, it } from 'vitest';

import { checkControlToken } from '../ts/repository/control-token';
import { ModelRegistry } from '../ts/repository/model-registry';
import { ModelRepository } from '../ts/repository/model-repository';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';
import { fetchJson, startRestServer } from './helpers/rest-server';

const input = { x: { type: 'float32' as const, dims: [1, 4], data: Float32Array.of(1, 2, 3, 4) } };

describe('a server with YAML models and a model repository', () => {
  const repo = new TempRepository();
  const second = new TempRepository();
  afterAll(() => {
    repo.dispose();
    second.dispose();
  });

  it('serves both from one registry, each version at its own route', async () => {
    const yamlModel = repo.write('yaml/scale7.onnx', scaleModel(7));
    repo.write('repo/tri/1/model.onnx', scaleModel(2));
    repo.write('repo/tri/2/model.onnx', scaleModel(3));
    repo.write('repo/tri/config.pbtxt', 'max_batch_size: 2\nversion_policy { all { } }\n');
    const server = await startRestServer(
      { yaml: { path: yamlModel } },
      { repository: { roots: [repo.path('repo')], controlMode: 'explicit', loadModels: ['*'] } },
    );
    try {
      expect(server.server.registry.list().map((served) => [served.name, served.version]).sort()).toEqual([
        ['tri', '2'],
        ['yaml', '1'],
      ]);
      const body = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] };
      for (const [route, file] of [
        ['/v2/models/tri/versions/1/infer', 'repo/tri/1/model.onnx'],
        ['/v2/models/tri/infer', 'repo/tri/2/model.onnx'],
        ['/v2/models/yaml/infer', 'yaml/scale7.onnx'],
      ] as const) {
        const reply = await fetchJson(`${server.url}${route}`, { method: 'POST', body: JSON.stringify(body) });
        expect(reply.status).toBe(200);
        const reference = await referenceRun(repo.path(file), input);
        expect(reply.body.outputs[0].data).toEqual(Array.from(reference.y!.data as Float32Array));
      }
      // A batch above max_batch_size is refused although the model itself has a dynamic batch dimension.
      const big = { inputs: [{ name: 'x', datatype: 'FP32', shape: [3, 4], data: new Array(12).fill(1) }] };
      const refused = await fetchJson(`${server.url}/v2/models/tri/infer`, { method: 'POST', body: JSON.stringify(big) });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatch(/exceeds max_batch_size 2/);
      await server.server.repository!.unload('tri');
      const gone = await fetchJson(`${server.url}/v2/models/tri/infer`, { method: 'POST', body: JSON.stringify(body) });
      expect(gone.status).toBe(503);
      expect(gone.body.error).toMatch(/model 'tri' has no ready version/);
    } finally {
      await server.close();
    }
  });

  it('does not start when a repository model fails to load, naming it', async () => {
    second.write('bad/1/model.onnx', scaleModel(1));
    second.write('bad/config.pbtxt', 'max_batch_size: 2\ninstance_group [ { kind: KIND_GPU } ]\n');
    await expect(startRestServer({}, { repository: { roots: [second.root], controlMode: 'none', loadModels: [] } })).rejects.toThrow(
      /cannot load model 'bad': .*bad\/config\.pbtxt:2: instance_group\[0\]\.kind: KIND_GPU is not supported/,
    );
  });

  it('refuses a model name found in two repositories', async () => {
    const a = new TempRepository();
    const b = new TempRepository();
    a.write('dup/1/model.onnx', scaleModel(1));
    b.write('dup/1/model.onnx', scaleModel(1));
    const registry = new ModelRegistry();
    const repository = new ModelRepository(registry, { roots: [a.root, b.root], controlMode: 'explicit' });
    await expect(repository.load('dup')).rejects.toThrow(/model 'dup' is in several repositories/);
    a.dispose();
    b.dispose();
  });
});

describe('repository token', () => {
  it('accepts only Authorization: Bearer <token> when a token is set', () => {
    expect(checkControlToken(undefined, undefined)).toBe(true);
    expect(checkControlToken('s3cret', 'Bearer s3cret')).toBe(true);
    expect(checkControlToken('s3cret', 'bearer  s3cret ')).toBe(true);
    for (const wrong of [undefined, '', 's3cret', 'Bearer', 'Bearer s3cre', 'Bearer s3cret2', 'Basic s3cret', 'Bearer s3cret extra']) {
      expect(checkControlToken('s3cret', wrong)).toBe(false);
    }
  });
});

describe('repository authorization', () => {
  it('checks load/unload requests against --repository-token', () => {
    const open = new ModelRepository(new ModelRegistry(), { roots: ['/nonexistent'], controlMode: 'explicit' });
    expect(open.openToAnyone).toBe(true);
    expect(open.authorize(undefined)).toBe(true);
    const guarded = new ModelRepository(new ModelRegistry(), { roots: ['/nonexistent'], controlMode: 'explicit', token: 't0k' });
    expect(guarded.openToAnyone).toBe(false);
    expect(guarded.authorize('Bearer t0k')).toBe(true);
    expect(guarded.authorize('Bearer nope')).toBe(false);
  });
});
