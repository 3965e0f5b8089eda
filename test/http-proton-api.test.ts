import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Tensor } from '../ts/protocol/tensor';
import { demoModels } from './helpers/models';
import { expectTensorClose, randomData, referenceRun } from './helpers/onnx-reference';
import { fetchJson, postJson, startRestServer, type RestTestServer } from './helpers/rest-server';
import { nestValues } from './helpers/nesting';

/** The original Proton REST API, spoken as its clients spoke it: JSON in, JSON out. */

let server: RestTestServer;
let paths: Awaited<ReturnType<typeof demoModels>>;

beforeAll(async () => {
  paths = await demoModels();
  server = await startRestServer({
    squeezenet: { path: paths['squeezenet1.0'] },
    mlp: { path: paths.mlp },
    dynamic_batch: { path: paths.dynamic_batch },
    multi_io: { path: paths.multi_io },
  });
});
afterAll(() => server?.close());

/** POST /predict exactly as the original clients did. */
function predict(modelName: string, data: unknown) {
  return postJson(`${server.url}/predict`, { model_name: modelName, data });
}

function float32Input(dims: number[], seed: number): Tensor {
  return { type: 'float32', dims, data: randomData('float32', dims.reduce((a, b) => a * b, 1), seed) } as Tensor;
}

describe('POST /predict', () => {
  it('answers squeezenet with prediction_id, model_name and the nested first output', async () => {
    const input = float32Input([1, 3, 224, 224], 11);
    const { status, body, headers } = await predict('squeezenet', nestValues(Array.from(input.data as Float32Array), input.dims));
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json');
    expect(Object.keys(body).sort()).toEqual(['data', 'model_name', 'prediction_id']);
    expect(body.prediction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body.model_name).toBe('squeezenet');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toHaveLength(1000);

    const reference = await referenceRun(paths['squeezenet1.0'], { data: input });
    const output: Tensor = { type: 'float32', dims: [1, 1000], data: Float32Array.from(body.data.flat()) };
    expectTensorClose(output, reference.softmaxout_1, 1e-6);
  });

  it('takes the shape from the nesting of data (batch of 3 on a dynamic model)', async () => {
    const input = float32Input([3, 4], 12);
    const { status, body } = await predict('dynamic_batch', nestValues(Array.from(input.data as Float32Array), input.dims));
    expect(status).toBe(200);
    const reference = await referenceRun(paths.dynamic_batch, { x: input });
    expect(body.data).toHaveLength(3);
    expectTensorClose({ type: 'float32', dims: [3, 3], data: Float32Array.from(body.data.flat()) }, reference.y, 1e-6);
  });

  it('gives every prediction its own id', async () => {
    const data = nestValues(Array.from(randomData('float32', 256, 13) as Float32Array), [1, 256]);
    const ids = await Promise.all([1, 2, 3].map(async () => (await predict('mlp', data)).body.prediction_id));
    expect(new Set(ids).size).toBe(3);
  });

  it('rejects an unknown model with 404 naming it', async () => {
    const { status, body } = await predict('resnet', [[1]]);
    expect(status).toBe(404);
    expect(body.error).toMatch(/unknown model 'resnet'/);
  });

  it('rejects ragged data with 400', async () => {
    const { status, body } = await predict('dynamic_batch', [[1, 2, 3, 4], [1, 2]]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/data\[1\] must be an array of 4 elements/);
  });

  it('rejects non-numeric data with 400 naming the element', async () => {
    const { status, body } = await predict('dynamic_batch', [[1, 2, 'x', 4]]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/input 'x': element 2 of FP32 data is "x", expected a number/);
  });

  it('rejects a shape the model does not take with 400 naming the input', async () => {
    const { status, body } = await predict('squeezenet', [[1, 2, 3]]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/input 'data'/);
  });

  it('rejects a missing model_name, missing data and malformed JSON with 400', async () => {
    expect(await postJson(`${server.url}/predict`, { data: [[1]] })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/model_name must be a non-empty string/) },
    });
    expect(await postJson(`${server.url}/predict`, { model_name: 'mlp' })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/data is required/) },
    });
    expect(await postJson(`${server.url}/predict`, '{"model_name": "mlp", "data": [[1,')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/malformed JSON/) },
    });
  });

  it('reports a model whose first input is not enough (two inputs) with 400', async () => {
    const { status, body } = await predict('multi_io', [[1, 2, 3], [4, 5, 6]]);
    expect(status).toBe(400);
    expect(body.error).toMatch(/missing input 'k'/);
  });
});

describe('GET endpoints', () => {
  it('/models lists the served models by name', async () => {
    const { status, body } = await fetchJson(`${server.url}/models`);
    expect(status).toBe(200);
    expect(body).toEqual({ models: [{ name: 'squeezenet' }, { name: 'mlp' }, { name: 'dynamic_batch' }, { name: 'multi_io' }] });
  });

  it('/ready reports healthy', async () => {
    expect(await fetchJson(`${server.url}/ready`)).toMatchObject({ status: 200, body: { healthy: true } });
  });

  // Every family is parsed and checked in metrics-exposition.test.ts; this is the served route.
  it('/metrics is Prometheus text of the whole server (startServer)', async () => {
    await predict('mlp', nestValues(Array.from(randomData('float32', 256, 14) as Float32Array), [1, 256]));
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const mlp = server.server.registry.get('mlp').model.stats();
    expect(text).toContain(`nv_inference_exec_count{model="mlp",version="1"} ${mlp.executions}`);
    expect(text).toContain('# TYPE nv_inference_exec_count counter');
    expect(text).toContain('# TYPE axum_http_requests_total counter');
  });
});
