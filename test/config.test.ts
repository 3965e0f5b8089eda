import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { ConfigError, defaultConfig, loadConfig, parseConfig } from '../ts/server/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proton-config-'));
fs.writeFileSync(path.join(dir, 'squeezenet1.0-8.onnx'), 'not read by the config loader');
fs.mkdirSync(path.join(dir, 'sub'));
fs.writeFileSync(path.join(dir, 'sub', 'mlp.onnx'), '');

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The issues of a config that must be rejected. */
function issuesOf(document: unknown): string[] {
  try {
    parseConfig(document, dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('the configuration was accepted');
}

describe('the original Proton schema', () => {
  it('loads unchanged, with relative paths resolved against the file folder', () => {
    const file = writeConfig(
      'original.yaml',
      [
        'server: { num_threads: 1, buffer_size: 64, port: 8080, grpc_port: 50051 }',
        'log_level: INFO',
        'models:',
        '  - { name: squeezenet, path: squeezenet1.0-8.onnx }',
      ].join('\n'),
    );
    const cwd = process.cwd();
    process.chdir(os.tmpdir()); // the path must not depend on the working directory
    try {
      expect(loadConfig(file)).toEqual({
        host: '0.0.0.0',
        port: 8080,
        grpcPort: 50051,
        maxBodyBytes: 64 * 1024 * 1024,
        logLevel: 'INFO',
        models: [
          { name: 'squeezenet', path: path.join(dir, 'squeezenet1.0-8.onnx'), options: { intraOpNumThreads: 1, queueCapacity: 64 } },
        ],
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it("observability keys: the original's TRACE level, log_format and server.metrics_port", () => {
    const model = { name: 'squeezenet', path: path.join(dir, 'squeezenet1.0-8.onnx') };
    const config = parseConfig({ log_level: 'trace', log_format: 'json', server: { metrics_port: 8002 }, models: [model] }, dir);
    expect(config.logLevel).toBe('TRACE');
    expect(config.logFormat).toBe('json');
    expect(config.metricsPort).toBe(8002);
    const plain = parseConfig({ models: [model] }, dir);
    expect(plain.logFormat).toBeUndefined();
    expect(plain.metricsPort).toBeUndefined();
    expect(issuesOf({ log_format: 'xml', models: [model] })).toEqual(['log_format: expected one of text, json']);
    expect(issuesOf({ server: { metrics_port: 70000 }, models: [model] })).toEqual(['server.metrics_port: expected a port number (0 to 65535)']);
  });

  it('maps per-model extensions to Model.load options, overriding the server defaults', () => {
    const config = parseConfig(
      {
        server: { num_threads: 2, buffer_size: 32, host: '127.0.0.1', max_body_bytes: 1000 },
        log_level: 'debug',
        models: [
          {
            name: 'mlp',
            path: 'sub/mlp.onnx',
            num_threads: 1,
            buffer_size: 256,
            max_batch_size: 16,
            preferred_batch_sizes: [4, 8],
            max_queue_delay_us: 500,
            instances: 2,
          },
          { name: 'squeezenet', path: path.join(dir, 'squeezenet1.0-8.onnx') },
        ],
      },
      dir,
    );
    expect(config.host).toBe('127.0.0.1');
    expect(config.maxBodyBytes).toBe(1000);
    expect(config.logLevel).toBe('DEBUG');
    expect(config.models[0]).toEqual({
      name: 'mlp',
      path: path.join(dir, 'sub', 'mlp.onnx'),
      options: {
        intraOpNumThreads: 1,
        queueCapacity: 256,
        maxBatchSize: 16,
        preferredBatchSizes: [4, 8],
        maxQueueDelayUs: 500,
        instances: 2,
      },
    });
    expect(config.models[1]?.options).toEqual({ intraOpNumThreads: 2, queueCapacity: 32 });
  });
});

describe('mistakes are reported with the key path and why', () => {
  const model = { name: 'squeezenet', path: 'squeezenet1.0-8.onnx' };

  it('a non-positive buffer size', () => {
    expect(issuesOf({ models: [{ ...model, buffer_size: 0 }] })).toEqual(['models[0].buffer_size: expected a positive integer']);
    expect(issuesOf({ server: { buffer_size: 1.5 }, models: [model] })).toEqual(['server.buffer_size: expected a positive integer']);
  });

  it('unknown keys at every level', () => {
    expect(issuesOf({ servr: {}, models: [model] })).toEqual([expect.stringMatching(/^servr: unknown key \(allowed: server, limits, log_level, log_format, models\)$/)]);
    expect(issuesOf({ server: { threads: 1 }, models: [model] })).toEqual([expect.stringMatching(/^server\.threads: unknown key/)]);
    expect(issuesOf({ models: [model, { ...model, name: 'b', batch: 4 }] })).toEqual([expect.stringMatching(/^models\[1\]\.batch: unknown key/)]);
  });

  it('wrong types and ranges', () => {
    expect(issuesOf({ server: { port: 'http' }, models: [model] })).toEqual(['server.port: expected a port number (0 to 65535)']);
    expect(issuesOf({ server: { grpc_port: 70000 }, models: [model] })).toEqual(['server.grpc_port: expected a port number (0 to 65535)']);
    expect(issuesOf({ log_level: 'VERBOSE', models: [model] })).toEqual(['log_level: expected one of TRACE, DEBUG, INFO, WARN, ERROR']);
    expect(issuesOf({ models: [{ ...model, preferred_batch_sizes: [4, -1] }] })).toEqual([
      'models[0].preferred_batch_sizes[1]: expected a positive integer',
    ]);
    expect(issuesOf({ models: [{ ...model, max_batch_size: -1 }] })).toEqual(['models[0].max_batch_size: expected a non-negative integer']);
  });

  it('missing and empty parts', () => {
    expect(issuesOf({})).toEqual(['models: required']);
    expect(issuesOf({ models: [] })).toEqual(['models: expected at least one model']);
    expect(issuesOf({ models: [{ name: 'x' }] })).toEqual(['models[0].path: required']);
    expect(issuesOf({ models: [{ name: 'a/b', path: 'm.onnx' }] })).toEqual(['models[0].name: expected a name without "/" or spaces']);
    expect(issuesOf('just text')).toEqual([expect.stringMatching(/^\(top level\): expected a mapping/)]);
  });

  it('duplicate names and missing model files', () => {
    expect(issuesOf({ models: [model, model] })).toEqual(["models[1].name: duplicate model name 'squeezenet'"]);
    expect(issuesOf({ models: [{ name: 'gone', path: 'gone.onnx' }] })).toEqual([`models[0].path: no such file: ${path.join(dir, 'gone.onnx')}`]);
  });

  it('several mistakes at once are all listed', () => {
    const issues = issuesOf({ server: { port: -1, extra: true }, models: [{ ...model, instances: 0 }] });
    expect(issues).toHaveLength(3);
  });

  it('YAML syntax errors and unreadable files name the file', () => {
    const bad = writeConfig('bad.yaml', 'models: [ { name: a, path: b }\n');
    expect(() => loadConfig(bad)).toThrow(/bad\.yaml[\s\S]*YAML syntax error/);
    expect(() => loadConfig(path.join(dir, 'absent.yaml'))).toThrow(/absent\.yaml[\s\S]*cannot read the file/);
  });
});

describe('defaultConfig', () => {
  it('serves the given models on the original ports', () => {
    const config = defaultConfig({ squeezenet: '/m/squeezenet1.0.onnx', add: 'models/add.onnx' });
    expect(config.port).toBe(8080);
    expect(config.grpcPort).toBe(50051);
    expect(config.models.map((m) => m.name)).toEqual(['squeezenet', 'add']);
    expect(config.models[1]?.path).toBe(path.resolve('models/add.onnx'));
  });
});
