import { Option } from 'commander';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runClientCli, type ClientCliSpec } from '../ts/client/client-cli';
import type { ReportJson } from '../ts/client/client-report';
import { runClient, type ClientReport } from '../ts/client/client-run';
import { GrpcTransport } from '../ts/client/grpc-transport';
import { generateInputs } from '../ts/client/input-generator';
import { runLoad } from '../ts/client/load-runner';
import type { RestEncoding } from '../ts/client/rest-encodings';
import { RestTransport } from '../ts/client/rest-transport';
import type { InferTransport } from '../ts/client/transport';
import { DEMO_MODELS_DIR, ensureDemoModels, type DemoModelName } from '../ts/onnx/demo-models';
import { silentLogger } from '../ts/server/logger';
import { startServer, type RunningServer } from '../ts/server/server';
import type { Tensor } from '../ts/protocol/tensor';
import { toOrtTensor } from './helpers/ort-tensor';

/** Served name -> demo model file; squeezenet keeps the name `npm start` gives it. */
const SERVED: Readonly<Record<string, DemoModelName>> = {
  add: 'add',
  mlp: 'mlp',
  multi_io: 'multi_io',
  dynamic_batch: 'dynamic_batch',
  squeezenet: 'squeezenet1.0',
};
const ALL_MODELS = Object.keys(SERVED);
/** The original predict APIs carry one FP32 input: add and multi_io have two inputs. */
const SINGLE_INPUT_MODELS = ['mlp', 'dynamic_batch', 'squeezenet'];

const REQUESTS = 24;
const CONCURRENCY = 4;

let server: RunningServer;
let restUrl: string;
let grpcUrl: string;
const sessions = new Map<string, Promise<ort.InferenceSession>>();

beforeAll(async () => {
  const paths = await ensureDemoModels(DEMO_MODELS_DIR);
  server = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      grpcPort: 0,
      maxBodyBytes: 64 * 1024 * 1024,
      logLevel: 'ERROR',
      models: Object.entries(SERVED).map(([name, demo]) => ({ name, path: paths[demo], options: { intraOpNumThreads: 1 } })),
    },
    { logger: silentLogger(), shutdownTimeoutMs: 5_000 },
  );
  restUrl = `http://127.0.0.1:${server.httpPort}`;
  grpcUrl = `127.0.0.1:${server.grpcPort}`;
});

afterAll(async () => {
  await server?.close();
  for (const session of sessions.values()) await (await session).release();
});

/** onnxruntime-node's own answer for the same model file and inputs: the reference. */
async function reference(model: string, inputs: readonly (Tensor & { name: string })[]): Promise<Record<string, ort.Tensor>> {
  const demo = SERVED[model] as DemoModelName;
  let session = sessions.get(demo);
  if (!session) {
    session = ensureDemoModels(DEMO_MODELS_DIR).then((paths) =>
      ort.InferenceSession.create(paths[demo], { intraOpNumThreads: 1 }),
    );
    sessions.set(demo, session);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    feeds[input.name] = toOrtTensor(input);
  }
  return (await session).run(feeds);
}

/** Every request succeeded, the counts add up, and each model's checked answer equals onnxruntime-node's. */
async function expectSound(report: ClientReport, transport: InferTransport, models: string[]): Promise<void> {
  const { load } = report;
  expect(load.errors).toEqual([]);
  expect(load).toMatchObject({ requests: REQUESTS, succeeded: REQUESTS, failed: 0 });
  expect(load.samples.map((sample) => sample.index).sort((a, b) => a - b)).toEqual(Array.from({ length: REQUESTS }, (_, i) => i));
  expect(load.samples.every((sample) => models.includes(sample.group))).toBe(true);

  expect(report.checks.map((check) => check.model)).toEqual(models);
  for (const check of report.checks) {
    const expected = await reference(check.model, check.inputs);
    const spec = await transport.fetchModelSpec(check.model);
    const answered = transport.answeredOutputs(spec).map((output) => output.name);
    expect(check.outputs.map((output) => output.name).sort()).toEqual([...answered].sort());
    for (const output of check.outputs) {
      const want = expected[output.name] as ort.Tensor;
      expect(output.dims, `${check.model}/${output.name} shape`).toEqual([...want.dims]);
      const got = Array.from(output.data as ArrayLike<number | bigint>, Number);
      const wanted = Array.from(want.data as ArrayLike<number | bigint>, Number);
      expect(got).toHaveLength(wanted.length);
      got.forEach((value, index) => {
        const target = wanted[index] as number;
        const where = `${check.model}/${output.name}[${index}]`;
        expect(Math.abs(value - target), where).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(target));
      });
    }
  }
}

function rest(encoding: RestEncoding): RestTransport {
  return new RestTransport({ url: restUrl, encoding, concurrency: CONCURRENCY });
}

const CASES: Array<{ name: string; models: string[]; create: () => InferTransport }> = [
  { name: 'REST binary', models: ALL_MODELS, create: () => rest('binary') },
  { name: 'REST V2 JSON', models: ALL_MODELS, create: () => rest('json') },
  { name: 'REST predict', models: SINGLE_INPUT_MODELS, create: () => rest('predict') },
  { name: 'gRPC V2', models: ALL_MODELS, create: () => new GrpcTransport({ url: grpcUrl, api: 'v2' }) },
  { name: 'gRPC predict', models: SINGLE_INPUT_MODELS, create: () => new GrpcTransport({ url: grpcUrl, api: 'predict' }) },
];

describe.each(CASES)('$name client', ({ models, create }) => {
  it('sends every request successfully and receives what onnxruntime-node computes', async () => {
    const transport = create();
    try {
      const report = await runClient({ transport, models, requests: REQUESTS, concurrency: CONCURRENCY, seed: 7 });
      await expectSound(report, transport, models);
    } finally {
      transport.close();
    }
  });

  it('counts requests the server rejects, by status, without stopping', async () => {
    const transport = create();
    try {
      const served = await transport.fetchModelSpec('mlp');
      // 255 features instead of 256: the server must reject every request.
      const spec = { ...served, inputs: served.inputs.map((input) => ({ ...input, shape: [1, 255] })) };
      const call = transport.prepare(spec, generateInputs(spec, 1));
      const result = await runLoad({ send: () => call.send(), requests: 6, concurrency: 2 });
      expect(result).toMatchObject({ requests: 6, succeeded: 0, failed: 6 });
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ count: 6, key: expect.stringMatching(/^(HTTP 400|gRPC INVALID_ARGUMENT)$/) });
      expect(result.errors[0]!.message).toMatch(/255|256/);
    } finally {
      transport.close();
    }
  });

  it('refuses to start when a model is unknown', async () => {
    const transport = create();
    try {
      await expect(runClient({ transport, models: ['no_such_model'], requests: 1, concurrency: 1, seed: 1 })).rejects.toThrow(
        /metadata of model 'no_such_model': (HTTP 404|gRPC NOT_FOUND)/,
      );
    } finally {
      transport.close();
    }
  });
});

describe('the original predict APIs', () => {
  it.each([
    ['REST', () => rest('predict')],
    ['gRPC', () => new GrpcTransport({ url: grpcUrl, api: 'predict' })],
  ] as const)('%s refuses a model with two inputs before sending load', async (_name, create) => {
    const transport = create();
    try {
      const run = runClient({ transport, models: ['multi_io'], requests: 1, concurrency: 1, seed: 1 });
      await expect(run).rejects.toThrow(/exactly one/);
    } finally {
      transport.close();
    }
  });
});

describe('the command line', () => {
  async function runCli(protocolOption: Option, createTransport: ClientCliSpec['createTransport'], args: string[]) {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const spec: ClientCliSpec = { name: 'test-client', description: '', defaultUrl: '', protocolOption, createTransport };
      const code = await runClientCli(spec, ['node', 'test-client', ...args]);
      return { code, output: written.join('') };
    } finally {
      write.mockRestore();
    }
  }

  it('runs the REST client from its flags and prints the raw results as JSON', async () => {
    const option = new Option('--encoding <encoding>').default('binary');
    const create: ClientCliSpec['createTransport'] = (url, encoding, concurrency) =>
      new RestTransport({ url, encoding: encoding as RestEncoding, concurrency });
    const args = ['--url', restUrl, '--model', 'mlp', '--model', 'add', '--requests', '12', '--concurrency', '3'];
    const { code, output } = await runCli(option, create, [...args, '--encoding', 'json', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(output) as ReportJson;
    expect(json).toMatchObject({ clientType: 'REST (V2 JSON)', models: ['mlp', 'add'], concurrency: 3, requests: 12 });
    expect(json).toMatchObject({ succeeded: 12, failed: 0 });
    expect(json.samples).toHaveLength(12);
    expect(json.rows.at(-1)).toMatchObject({ model: 'all', requests: 12, errors: 0 });
  });

  it('runs the gRPC client and prints the table', async () => {
    const option = new Option('--grpc-api <api>').default('v2');
    const { code, output } = await runCli(option, (url, api) => new GrpcTransport({ url, api: api as 'v2' }), [
      '--url', grpcUrl, '--model', 'dynamic_batch', '--requests', '8',
    ]);
    expect(code).toBe(0);
    expect(output).toMatch(/^\| Client Type +\| Model +\| Total Time \| Average Time \| Median Time \| p95 Time \| p99 Time \|/);
    expect(output).toMatch(/\| gRPC \(V2 raw\) \| dynamic_batch \|/);
    expect(output).toContain('(8 succeeded, 0 failed, concurrency 10');
  });
});
