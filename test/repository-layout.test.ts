import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ProtonError } from '../ts/errors';
import type { ModelVersionPolicy } from '../ts/gen/model_config_pb';
import { parseConfigText } from '../ts/repository/config-text';
import { ModelRegistry } from '../ts/repository/model-registry';
import { ModelRepository } from '../ts/repository/model-repository';
import { checkComponent, confinedPath } from '../ts/repository/path-confinement';
import { listModelNames, readModelFolder, versionModelFile } from '../ts/repository/repository-layout';
import { selectVersions } from '../ts/repository/version-policy';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';

const x = (rows = 1) => ({ x: { type: 'float32' as const, dims: [rows, 4], data: Float32Array.from({ length: rows * 4 }, (_, i) => i + 1) } });

function policy(text: string): ModelVersionPolicy | undefined {
  return parseConfigText(text, 'config.pbtxt').versionPolicy;
}

describe('version policy', () => {
  const source = { file: 'config.pbtxt' };
  it('serves the latest by default, latest N, all, or specific versions', () => {
    const available = [1, 2, 3, 10];
    expect(selectVersions(undefined, available, source)).toEqual({ selected: [10], missing: [] });
    expect(selectVersions(policy('version_policy { latest { num_versions: 2 } }'), available, source).selected).toEqual([3, 10]);
    expect(selectVersions(policy('version_policy { all { } }'), available, source).selected).toEqual([1, 2, 3, 10]);
    expect(selectVersions(policy('version_policy { specific { versions: [2, 7] } }'), available, source)).toEqual({ selected: [2], missing: [7] });
    expect(() => selectVersions(policy('version_policy { latest { num_versions: 0 } }'), available, source)).toThrow(/num_versions: must be at least 1/);
  });
});

describe('repository layout', () => {
  const repo = new TempRepository();
  afterAll(() => repo.dispose());

  it('finds model folders and numeric version folders, and default_model_filename', () => {
    repo.write('a/1/model.onnx', scaleModel(1));
    repo.write('a/2/model.onnx', scaleModel(2));
    repo.write('a/notes/readme.txt', 'not a version');
    repo.write('a/config.pbtxt', 'max_batch_size: 4');
    repo.write('b/7/custom.onnx', scaleModel(7));
    repo.write('.hidden/1/model.onnx', scaleModel(1));
    repo.write('loose-file.txt', 'ignored');
    expect(listModelNames(repo.root)).toEqual(['a', 'b']);
    const a = readModelFolder(repo.root, 'a');
    expect(a.versions).toEqual([1, 2]);
    expect(a.config?.text).toBe('max_batch_size: 4');
    const b = readModelFolder(repo.root, 'b');
    expect(b.config).toBeUndefined();
    expect(versionModelFile(b, 7, 'custom.onnx')).toBe(fs.realpathSync(repo.path('b/7/custom.onnx')));
    expect(() => versionModelFile(b, 7)).toThrow(/no such file/);
  });
});

describe('path confinement', () => {
  const repo = new TempRepository();
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-outside-'));
  afterAll(() => {
    repo.dispose();
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it("refuses '..', absolute paths and separators in names", () => {
    for (const bad of ['..', '.', '../etc', '/etc', 'a/b', 'a\\b', '', 'x\0y']) {
      expect(() => checkComponent(bad, 'model name')).toThrow(ProtonError);
    }
    expect(checkComponent('resnet-50.v2', 'model name')).toBe('resnet-50.v2');
  });

  it('refuses symbolic links that lead outside the repository, and allows those inside', async () => {
    fs.mkdirSync(path.join(outside, 'evil', '1'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'evil', '1', 'model.onnx'), scaleModel(1));
    fs.symlinkSync(path.join(outside, 'evil'), repo.path('evil'));
    repo.write('good/1/model.onnx', scaleModel(5));
    fs.symlinkSync(repo.path('good'), repo.path('alias'));
    repo.write('sneaky/1/placeholder', '');
    fs.symlinkSync(path.join(outside, 'evil', '1', 'model.onnx'), repo.path('sneaky/1/model.onnx'));
    repo.write('cfg/1/model.onnx', scaleModel(1));
    fs.writeFileSync(path.join(outside, 'secret.pbtxt'), 'max_batch_size: 1');
    fs.symlinkSync(path.join(outside, 'secret.pbtxt'), repo.path('cfg/config.pbtxt'));
    repo.write('warm/1/model.onnx', scaleModel(1));
    repo.write(
      'warm/config.pbtxt',
      'max_batch_size: 1\nmodel_warmup [ { name: "f" batch_size: 1 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [4] input_data_file: "../../../etc/passwd" } } } ]',
    );

    expect(() => confinedPath(repo.root, ['evil'], 'model folder')).toThrow(/leads outside the repository/);
    const registry = new ModelRegistry();
    const repository = new ModelRepository(registry, { roots: [repo.root], controlMode: 'explicit' });
    try {
      await expect(repository.load('evil')).rejects.toThrow(/leads outside the repository/);
      await expect(repository.load('sneaky')).rejects.toThrow(/leads outside the repository/);
      await expect(repository.load('cfg')).rejects.toThrow(/leads outside the repository/);
      await expect(repository.load('warm')).rejects.toThrow(/input_data_file.*plain name/);
      await expect(repository.load('../good')).rejects.toThrow(/plain name inside the repository/);
      await expect(repository.load(path.join(repo.root, 'good'))).rejects.toThrow(/plain name inside the repository/);
      await repository.load('alias');
      const outputs = await registry.get('alias').model.infer(x());
      const reference = await referenceRun(repo.path('good/1/model.onnx'), x());
      expect(Array.from(outputs.y!.data as Float32Array)).toEqual(Array.from(reference.y!.data as Float32Array));
      expect(registry.index().filter((row) => row.state === 'READY').map((row) => row.name)).toEqual(['alias']);
    } finally {
      await registry.closeAll();
    }
  });
});

describe('repository with several models and versions', () => {
  const repo = new TempRepository();
  let registry: ModelRegistry;
  let repository: ModelRepository;
  beforeAll(() => {
    repo.write('double/1/model.onnx', scaleModel(2));
    repo.write('double/2/model.onnx', scaleModel(20));
    repo.write('double/3/model.onnx', scaleModel(200));
    repo.write('double/config.pbtxt', 'max_batch_size: 8\nversion_policy { latest { num_versions: 2 } }\ndynamic_batching { }\n');
    repo.write('auto/4/model.onnx', scaleModel(4));
    repo.write('fixed/1/model.onnx', scaleModel(9, 1));
    repo.write('fixed/config.pbtxt', 'input [ { name: "x" data_type: TYPE_FP32 dims: [1, 4] } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [1, 4] } ]\n');
    repo.write('broken/1/model.onnx', scaleModel(1));
    repo.write('broken/config.pbtxt', 'max_batch_size: 2\ninput [ { name: "wrong" data_type: TYPE_FP32 dims: [4] } ]\n');
  });
  afterEach(async () => {
    await registry?.closeAll();
  });
  afterAll(() => repo.dispose());

  it("loads everything in mode 'none', serves versions by number and the highest by default, and refuses load/unload", async () => {
    registry = new ModelRegistry();
    repository = new ModelRepository(registry, { roots: [repo.root] });
    const report = await repository.start();
    expect(report.loaded.sort()).toEqual(['auto', 'double', 'fixed']);
    expect(report.failed).toEqual([{ name: 'broken', reason: expect.stringMatching(/broken\/config\.pbtxt:2: input\[0\]\.name: the model has no input 'wrong'/) }]);
    expect(repository.index().map((row) => [row.name, row.version, row.state])).toEqual([
      ['auto', '4', 'READY'],
      ['broken', '1', 'UNAVAILABLE'],
      ['double', '2', 'READY'],
      ['double', '3', 'READY'],
      ['fixed', '1', 'READY'],
    ]);
    expect(repository.index({ ready: true }).map((row) => row.name)).not.toContain('broken');
    for (const [version, file] of [['2', 'double/2/model.onnx'], ['3', 'double/3/model.onnx']] as const) {
      const outputs = await registry.get('double', version).model.infer(x(2));
      const reference = await referenceRun(repo.path(file), x(2));
      expect(Array.from(outputs.y!.data as Float32Array)).toEqual(Array.from(reference.y!.data as Float32Array));
    }
    expect(registry.get('double').version).toBe('3');
    expect(() => registry.get('double', '1')).toThrow(/has no version '1'/);
    expect(() => registry.get('broken')).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    expect(repository.config('auto').maxBatchSize).toBe(4);
    expect(repository.config('fixed').maxBatchSize).toBe(0);
    await expect(repository.load('double')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/not allowed in model control mode 'none'/) });
    await expect(repository.unload('double')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it("loads only --load-model models in explicit mode, and '*' must stand alone", async () => {
    expect(() => new ModelRepository(new ModelRegistry(), { roots: [repo.root], controlMode: 'explicit', loadModels: ['*', 'auto'] })).toThrow(/must be the only/);
    expect(() => new ModelRepository(new ModelRegistry(), { roots: [repo.root], loadModels: ['auto'] })).toThrow(/needs --model-control-mode explicit/);
    registry = new ModelRegistry();
    repository = new ModelRepository(registry, { roots: [repo.root], controlMode: 'explicit', loadModels: ['auto'] });
    await repository.start();
    expect(repository.index().map((row) => [row.name, row.state])).toEqual([
      ['auto', 'READY'],
      ['broken', ''],
      ['double', ''],
      ['fixed', ''],
    ]);
    await repository.load('fixed', { config: JSON.stringify({ input: [{ name: 'x', data_type: 'TYPE_FP32', dims: ['1', '4'] }] }) });
    expect(repository.config('fixed').input[0]?.dims).toEqual([1n, 4n]);
    await expect(repository.load('fixed', { config: '{"max_batch_size": 4}' })).rejects.toThrow(/needs a dynamic first dimension/);
    expect(registry.isReady('fixed')).toBe(true); // the failed reload kept the loaded version
    await repository.unload('fixed');
    expect(registry.state('fixed', '1')).toEqual({ state: 'UNAVAILABLE', reason: 'unloaded' });
    await expect(repository.load('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
