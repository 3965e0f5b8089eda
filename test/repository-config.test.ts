import { afterAll, describe, expect, it } from 'vitest';

import { ProtonError } from '../ts/errors';
import { Model } from '../ts/model';
import { configuredFromOptions } from '../ts/repository/configured-load';
import { DataType, ModelInstanceGroup_Kind, ModelQueuePolicy_TimeoutAction } from '../ts/gen/model_config_pb';
import type { InferOptions, ModelMetadata } from '../ts/model-types';
import { checkConfigAgainstModel, completeConfig } from '../ts/repository/config-metadata';
import { planLoad } from '../ts/repository/config-options';
import { parseConfigJson, parseConfigText } from '../ts/repository/config-text';
import { ConfiguredModel } from '../ts/repository/configured-model';
import { configFromLoadOptions, configToJson, effectiveConfig } from '../ts/repository/effective-config';
import { loadVersion } from '../ts/repository/version-loader';
import { referenceRun } from './helpers/onnx-reference';
import { scaleModel, TempRepository } from './helpers/repository';

const FILE = '/repo/m/config.pbtxt';

const FULL = `name: "m"
platform: "onnxruntime_onnx"
backend: "onnxruntime"
max_batch_size: 8
version_policy: { specific: { versions: [1, 3] } }
input [
  { name: "x" data_type: TYPE_FP32 dims: [ 4 ] }
]
output [
  { name: "y" data_type: TYPE_FP32 dims: [ -1 ] }
]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 2500
  default_queue_policy {
    max_queue_size: 17
    default_timeout_microseconds: 40000
    timeout_action: REJECT
    allow_timeout_override: true
  }
}
instance_group [ { name: "cpus" count: 2 kind: KIND_CPU }, { count: 1 kind: KIND_AUTO } ]
default_model_filename: "weights.onnx"
parameters { key: "intra_op_thread_count" value: { string_value: "3" } }
parameters { key: "inter_op_thread_count" value: { string_value: "2" } }
parameters: { key: "execution_mode" value: { string_value: "1" } }
model_warmup [
  { name: "zeros" batch_size: 2 count: 3 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } }
]
`;

function errorOf(run: () => unknown): ProtonError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtonError);
    return error as ProtonError;
  }
  return expect.fail('expected an error');
}

const parseAndPlan = (text: string): unknown => planLoad(parseConfigText(text, FILE), { file: FILE, text }, 'm');

describe('config.pbtxt parsing', () => {
  it('reads every supported field', () => {
    const config = parseConfigText(FULL, FILE);
    expect(config.name).toBe('m');
    expect(config.maxBatchSize).toBe(8);
    expect(config.versionPolicy?.policyChoice).toMatchObject({ case: 'specific', value: { versions: [1n, 3n] } });
    expect(config.input[0]).toMatchObject({ name: 'x', dataType: DataType.TYPE_FP32, dims: [4n] });
    expect(config.output[0]).toMatchObject({ name: 'y', dims: [-1n] });
    expect(config.schedulingChoice.case).toBe('dynamicBatching');
    const batching = config.schedulingChoice.value!;
    expect(batching.preferredBatchSize).toEqual([4, 8]);
    expect(batching.maxQueueDelayMicroseconds).toBe(2500n);
    expect(batching.defaultQueuePolicy).toMatchObject({
      maxQueueSize: 17,
      defaultTimeoutMicroseconds: 40000n,
      timeoutAction: ModelQueuePolicy_TimeoutAction.REJECT,
      allowTimeoutOverride: true,
    });
    expect(config.instanceGroup.map((g) => [g.name, g.count, g.kind])).toEqual([
      ['cpus', 2, ModelInstanceGroup_Kind.CPU],
      ['', 1, ModelInstanceGroup_Kind.AUTO],
    ]);
    expect(config.defaultModelFilename).toBe('weights.onnx');
    expect(Object.fromEntries(Object.entries(config.parameters).map(([k, v]) => [k, v.stringValue]))).toEqual({
      intra_op_thread_count: '3',
      inter_op_thread_count: '2',
      execution_mode: '1',
    });
    expect(config.modelWarmup[0]).toMatchObject({ name: 'zeros', batchSize: 2, count: 3 });
    expect(config.modelWarmup[0]!.inputs.x!.inputDataType).toEqual({ case: 'zeroData', value: true });
  });

  it('maps every field to the load options and the request policy', () => {
    expect(parseAndPlan(FULL)).toEqual({
      options: {
        maxBatchSize: 8,
        preferredBatchSizes: [4, 8],
        maxQueueDelayUs: 2500,
        queueCapacity: 17,
        instances: 3,
        intraOpNumThreads: 3,
        interOpNumThreads: 2,
        executionMode: 'parallel',
      },
      requestPolicy: { maxBatchSize: 8, defaultTimeoutUs: 40000, mode: 'override-shorter' },
    });
  });

  it('names the file and line of syntax errors and of fields outside the subset', () => {
    const syntax = errorOf(() => parseConfigText('name: "m"\nmax_batch_size: 4\ninput [ { name: "x" ', FILE));
    expect(syntax.code).toBe('INVALID_ARGUMENT');
    expect(syntax.message).toMatch(/^\/repo\/m\/config\.pbtxt:3: /);
    const unknown = errorOf(() => parseConfigText('name: "m"\n\nmax_batch_size: 4\noptimization { graph { level: 1 } }\n', FILE));
    expect(unknown.message).toMatch(/^\/repo\/m\/config\.pbtxt:4: unknown field "optimization".*Proton does not support this field/);
    const nested = errorOf(() => parseConfigText('name: "m"\ninput [\n  { name: "x"\n    format: FORMAT_NCHW }\n]\n', FILE));
    expect(nested.message).toMatch(/config\.pbtxt:4: unknown field "format" for message inference\.ModelInput/);
    const enumValue = errorOf(() => parseConfigText('input [ { name: "x" data_type: TYPE_FLOAT } ]', FILE));
    expect(enumValue.message).toMatch(/config\.pbtxt:1: unknown enum value "TYPE_FLOAT"/);
    const wrongType = errorOf(() => parseConfigText('name: "m"\nmax_batch_size: "eight"', FILE));
    expect(wrongType.message).toMatch(/config\.pbtxt:2: expected an integer/);
  });

  it('refuses values Proton cannot apply, naming the field and its line', () => {
    const cases: Array<[string, RegExp]> = [
      ['max_batch_size: 4\ninstance_group [ { count: 1 kind: KIND_GPU } ]', /:2: instance_group\[0\]\.kind: KIND_GPU is not supported/],
      ['max_batch_size: 4\ndynamic_batching {\n default_queue_policy { timeout_action: DELAY }\n}', /:3: dynamic_batching\.default_queue_policy\.timeout_action: DELAY is not supported/],
      ['parameters { key: "enable_mem_arena" value: { string_value: "1" } }', /:1: parameters\["enable_mem_arena"\]: unknown parameter/],
      ['parameters { key: "intra_op_thread_count" value: { string_value: "two" } }', /parameters\["intra_op_thread_count"\]: expected a thread count/],
      ['parameters { key: "execution_mode" value: { string_value: "2" } }', /parameters\["execution_mode"\]: expected 0 \(sequential\) or 1 \(parallel\)/],
      ['input [ { name: "x" data_type: TYPE_FP32 dims: [4]\n reshape: { shape: [2, 2] } } ]', /:2: input\[0\]\.reshape: is not supported/],
      ['input [ { name: "x" data_type: TYPE_BF16 dims: [4] } ]', /:1: input\[0\]\.data_type: TYPE_BF16 is not supported/],
      ['input [ { name: "x" data_type: TYPE_FP32 dims: [0] } ]', /input\[0\]\.dims\[0\]: 0 is not a size/],
      ['platform: "tensorflow_savedmodel"', /:1: platform: 'tensorflow_savedmodel' is not supported/],
      ['dynamic_batching { }', /dynamic_batching: needs max_batch_size > 0/],
      ['max_batch_size: 4\ndynamic_batching { preferred_batch_size: [8] }', /:2: dynamic_batching\.preferred_batch_size\[0\]: 8 is outside 1\.\.max_batch_size \(4\)/],
      ['name: "other"', /:1: name: 'other' differs from the model folder 'm'/],
      ['default_model_filename: "../escape.onnx"', /default_model_filename: .*plain name/],
    ];
    for (const [text, pattern] of cases) {
      const error = errorOf(() => parseAndPlan(text));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toMatch(/^\/repo\/m\/config\.pbtxt/);
      expect(error.message).toMatch(pattern);
    }
  });

  it('parses a JSON override with proto field names and refuses unknown fields', () => {
    const config = parseConfigJson('{"max_batch_size": 2, "dynamic_batching": {"max_queue_delay_microseconds": "10"}}', 'override');
    expect(config.maxBatchSize).toBe(2);
    expect(config.schedulingChoice.value?.maxQueueDelayMicroseconds).toBe(10n);
    expect(errorOf(() => parseConfigJson('{"sequence_batching": {}}', 'override')).message).toMatch(/override: .*sequence_batching/);
    expect(errorOf(() => parseConfigJson('{"max_batch_size": ', 'override')).message).toMatch(/override: malformed JSON/);
  });
});

const BATCHABLE: ModelMetadata = {
  inputs: [{ name: 'x', type: 'float32', shape: ['batch', 4] }],
  outputs: [{ name: 'y', type: 'float32', shape: ['batch', 4] }],
};

describe('configuration against the model', () => {
  it('auto-completes like Triton: inputs, outputs and max_batch_size 4 for a batching model', () => {
    const json = configToJson(effectiveConfig('m', parseConfigText('', FILE), BATCHABLE, true)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'm',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 4,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }],
      output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [4] }],
      dynamic_batching: {},
      instance_group: [{ name: 'm_0', count: 1, kind: 'KIND_CPU' }],
      version_policy: { latest: { num_versions: 1 } },
      default_model_filename: 'model.onnx',
    });
    const fixed: ModelMetadata = { inputs: [{ name: 'x', type: 'int64', shape: [1, 3] }], outputs: [{ name: 'y', type: 'bool', shape: [1] }] };
    const completed = completeConfig(parseConfigText('', FILE), fixed, true);
    expect(completed.maxBatchSize).toBe(0);
    expect(completed.input[0]).toMatchObject({ dataType: DataType.TYPE_INT64, dims: [1n, 3n] });
  });

  it('refuses mismatching input names, data types, dims and a fixed batch dimension', () => {
    const source = { file: FILE, text: '' };
    const check = (text: string, metadata = BATCHABLE): ProtonError =>
      errorOf(() => checkConfigAgainstModel(completeConfig(parseConfigText(text, FILE), metadata, false), metadata, { ...source, text }));
    expect(check('max_batch_size: 2\ninput [ { name: "z" data_type: TYPE_FP32 dims: [4] } ]').message).toMatch(
      /:2: input\[0\]\.name: the model has no input 'z'/,
    );
    expect(check('max_batch_size: 2\ninput [ { name: "x" data_type: TYPE_INT32 dims: [4] } ]').message).toMatch(
      /input\[0\]\.data_type: TYPE_INT32 does not match the model's float32 input 'x'/,
    );
    expect(check('max_batch_size: 2\ninput [ { name: "x" data_type: TYPE_FP32 dims: [5] } ]').message).toMatch(/input\[0\]\.dims: \[5\] does not match/);
    const fixed: ModelMetadata = { inputs: [{ name: 'x', type: 'float32', shape: [1, 4] }], outputs: [{ name: 'y', type: 'float32', shape: [1, 4] }] };
    expect(check('max_batch_size: 2', fixed).message).toMatch(/max_batch_size: 2 needs a dynamic first dimension/);
  });

  it('gives a YAML model the same ModelConfig shape as a config.pbtxt one', () => {
    const fromYaml = configToJson(
      configFromLoadOptions('m', BATCHABLE, { maxBatchSize: 8, preferredBatchSizes: [4], maxQueueDelayUs: 100, instances: 2, intraOpNumThreads: 3 }, '/models/m.onnx'),
    ) as Record<string, unknown>;
    const fromText = configToJson(effectiveConfig('m', parseConfigText(FULL, FILE), BATCHABLE, false)) as Record<string, unknown>;
    expect(Object.keys(fromYaml).sort()).toEqual(Object.keys(fromText).sort());
    expect(fromYaml).toMatchObject({
      max_batch_size: 8,
      input: [{ name: 'x', dims: [4] }],
      dynamic_batching: { preferred_batch_size: [4], max_queue_delay_microseconds: 100 },
      instance_group: [{ count: 2, kind: 'KIND_CPU' }],
      parameters: { intra_op_thread_count: { string_value: '3' } },
      default_model_filename: 'm.onnx',
    });
  });
});

describe('queue policy timeouts', () => {
  /** A stand-in model that records the options each request reached it with. */
  function recording(): { seen: Array<InferOptions | undefined>; model: ConstructorParameters<typeof ConfiguredModel>[0] } {
    const seen: Array<InferOptions | undefined> = [];
    const model = {
      metadata: BATCHABLE,
      path: 'stub',
      ready: true,
      maxBatchSize: 0,
      infer: (_inputs: unknown, options?: InferOptions) => {
        seen.push(options);
        return Promise.resolve({});
      },
      inferWithTiming: (_inputs: unknown, options?: InferOptions) => {
        seen.push(options);
        return Promise.resolve({ outputs: {}, timing: { queueNs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 } });
      },
      stats: () => {
        throw new Error('the timeout policy never reads statistics');
      },
      close: () => Promise.resolve(),
    };
    return { seen, model };
  }
  const config = parseConfigText('', FILE);
  const x = { x: { type: 'float32' as const, dims: [1, 4], data: new Float32Array(4) } };

  it('applies the default, lets a request shorten it only when allowed, and keeps request timeouts without a policy', async () => {
    const cases: Array<[string, number | undefined, number | undefined]> = [
      ['max_batch_size: 4 dynamic_batching { default_queue_policy { default_timeout_microseconds: 5000 } }', 2, 5],
      ['max_batch_size: 4 dynamic_batching { default_queue_policy { default_timeout_microseconds: 5000 allow_timeout_override: true } }', 2, 2],
      ['max_batch_size: 4 dynamic_batching { default_queue_policy { default_timeout_microseconds: 5000 allow_timeout_override: true } }', 9, 5],
      ['max_batch_size: 4 dynamic_batching { default_queue_policy { default_timeout_microseconds: 5000 allow_timeout_override: true } }', undefined, 5],
      ['max_batch_size: 4 dynamic_batching { }', 7, 7],
    ];
    for (const [text, requested, expected] of cases) {
      const { seen, model } = recording();
      const configured = new ConfiguredModel(model, planLoad(parseConfigText(text, FILE), { file: FILE }), config);
      await configured.infer(x, requested === undefined ? undefined : { timeoutMs: requested });
      // The timed path (access log, phase histograms) applies the same policy.
      await configured.inferWithTiming(x, requested === undefined ? undefined : { timeoutMs: requested });
      expect(seen[0]?.timeoutMs).toBe(expected);
      expect(seen[1]?.timeoutMs).toBe(expected);
    }
  });

  it('enforces max_batch_size on requests even without dynamic batching', async () => {
    const { model } = recording();
    const configured = new ConfiguredModel(model, planLoad(parseConfigText('max_batch_size: 2', FILE), { file: FILE }), config);
    const error = await configured.infer({ x: { type: 'float32', dims: [3, 4], data: new Float32Array(12) } }).catch((e: unknown) => e);
    expect((error as ProtonError).message).toMatch(/batch size 3 exceeds max_batch_size 2/);
  });
});

describe('loading a version', () => {
  const repo = new TempRepository();
  afterAll(() => repo.dispose());

  it('applies the config, runs the warmup before serving, and answers like onnxruntime-node', async () => {
    const file = repo.write('m/1/weights.onnx', scaleModel(3));
    const text = FULL.replace('version_policy: { specific: { versions: [1, 3] } }\n', '');
    const loaded = await loadVersion({
      name: 'm',
      version: 1,
      file,
      config: parseConfigText(text, repo.path('m/config.pbtxt')),
      source: { file: repo.path('m/config.pbtxt'), text },
      warmupFiles: { root: repo.root, modelName: 'm' },
    });
    try {
      expect(loaded.model.loadOptions).toMatchObject({ maxBatchSize: 8, instances: 3, intraOpNumThreads: 3, queueCapacity: 17 });
      // The warmup ran 3 times with batch 2 before anyone could send a request.
      expect(loaded.model.stats()).toMatchObject({ executions: 3, inferences: 6 });
      const inputs = { x: { type: 'float32' as const, dims: [2, 4], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]) } };
      const outputs = await loaded.model.infer(inputs);
      const reference = await referenceRun(file, inputs);
      expect(Array.from(outputs.y!.data as Float32Array)).toEqual(Array.from(reference.y!.data as Float32Array));
    } finally {
      await loaded.model.close();
    }
  });

  it('fails the load when a warmup sample does not fit the model', async () => {
    const file = repo.write('w/1/model.onnx', scaleModel(1));
    const text = 'max_batch_size: 4\nmodel_warmup [ { name: "bad" batch_size: 1 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 5 ] random_data: true } } } ]';
    const source = { file: repo.path('w/config.pbtxt'), text };
    const failure = await loadVersion({ name: 'w', version: 1, file, config: parseConfigText(text, source.file), source }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/w\/config\.pbtxt:2: model_warmup\[0\]: sample 'bad' failed: input 'x'/);
  });
});

describe('YAML models', () => {
  it('carry the same effective ModelConfig as repository models', async () => {
    const repo = new TempRepository();
    const model = await Model.load(repo.write('yaml/scale.onnx', scaleModel(2)), { maxBatchSize: 4, instances: 2 });
    const configured = configuredFromOptions('scale', model, { maxBatchSize: 4, instances: 2 });
    try {
      expect(configToJson(configured.config)).toMatchObject({
        name: 'scale',
        max_batch_size: 4,
        input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }],
        instance_group: [{ name: 'scale_0', count: 2, kind: 'KIND_CPU' }],
        default_model_filename: 'scale.onnx',
      });
    } finally {
      await configured.close();
      repo.dispose();
    }
  });
});
