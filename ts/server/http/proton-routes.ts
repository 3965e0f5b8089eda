import { randomUUID } from 'node:crypto';
import { ProtonError } from '../../errors';
import type { TensorInfo } from '../../model-types';
import type { TensorType } from '../../protocol/datatypes';
import type { Tensor } from '../../protocol/tensor';
import { serveWithBody } from './body-route';
import { isServerReady, type HttpContext } from './context';
import { flattenWithShape, nest } from '../../protocol/nesting';
import { jsonReply, writeReply, type Reply } from './reply';
import { getRoute, methodNotAllowed } from './routes-common';
import type { TemplatedApp } from './uws';
import { jsonToTensorData } from '../../protocol/json-codec';

/** `/predict` input types JSON numbers can fill; any other first input is fed float32 (and rejected by the model). */
const NUMERIC: ReadonlySet<TensorType> = new Set([
  'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
]);

/** Registers the original Proton REST API: `/predict`, `/models`, `/ready`, `/metrics`. */
export function registerProtonRoutes(app: TemplatedApp, context: HttpContext): void {
  const { registry } = context;

  app.post('/predict', (res, req) => {
    serveWithBody(context, res, req, { inference: true }, async (body, head, exchange) => {
      const request = parsePredictRequest(body);
      const served = registry.get(request.modelName);
      exchange.metricModel = served.name;
      const input = served.model.metadata.inputs[0];
      const output = served.model.metadata.outputs[0];
      if (!input || !output) throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}' has no inputs or no outputs`);
      const tensor = predictInput(input, request.data);
      const results = await served.model.infer({ [input.name]: tensor }, {
        outputs: [output.name],
        timeoutMs: head.timeoutMs,
        signal: exchange.signal,
      });
      const result = results[output.name];
      if (!result) throw new ProtonError('INTERNAL', `the model returned no output '${output.name}'`);
      return jsonReply(200, {
        prediction_id: randomUUID(),
        model_name: served.name,
        data: nest(plainValues(result), result.dims),
      });
    });
  });
  methodNotAllowed(app, '/predict', 'POST');

  getRoute(app, '/models', () => jsonReply(200, { models: registry.list().map((served) => ({ name: served.name })) }));
  methodNotAllowed(app, '/models', 'GET');

  getRoute(app, '/ready', () => {
    const healthy = isServerReady(context);
    return jsonReply(healthy ? 200 : 503, { healthy });
  });
  methodNotAllowed(app, '/ready', 'GET');

  app.get('/metrics', (res) => {
    // prom-client collects asynchronously: register onAborted before awaiting it.
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    context.metrics.text().then(
      (text): Reply => ({ status: 200, contentType: context.metrics.contentType, body: text }),
      (error: unknown): Reply => jsonReply(500, { error: `cannot collect metrics: ${(error as Error).message}` }),
    ).then((reply) => {
      if (!aborted) res.cork(() => writeReply(res, reply));
    });
  });
  methodNotAllowed(app, '/metrics', 'GET');
}

function parsePredictRequest(body: Buffer): { modelName: string; data: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProtonError('INVALID_ARGUMENT', `malformed JSON in request body: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtonError('INVALID_ARGUMENT', 'request body must be a JSON object with model_name and data');
  }
  const { model_name: modelName, data } = json as Record<string, unknown>;
  if (typeof modelName !== 'string' || modelName === '') {
    throw new ProtonError('INVALID_ARGUMENT', 'model_name must be a non-empty string');
  }
  if (data === undefined) throw new ProtonError('INVALID_ARGUMENT', 'data is required: a nested array of numbers');
  return { modelName, data };
}

/** The first input's tensor: its shape is the nesting of `data`. */
function predictInput(input: TensorInfo, data: unknown): Tensor {
  const { values, dims } = flattenWithShape(data, 'data');
  const type = NUMERIC.has(input.type) ? input.type : 'float32';
  return { type, dims, data: jsonToTensorData(type, values, `input '${input.name}'`) } as Tensor;
}

/** Output values as JSON-ready JavaScript values (int64 as numbers, bool as booleans). */
function plainValues(tensor: Tensor): ArrayLike<unknown> {
  switch (tensor.type) {
    case 'int64':
    case 'uint64':
      return Array.from(tensor.data as BigInt64Array, Number);
    case 'bool':
      return Array.from(tensor.data as Uint8Array, (v) => v !== 0);
    default:
      return tensor.data as ArrayLike<unknown>;
  }
}
