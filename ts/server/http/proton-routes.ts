import { randomUUID } from 'node:crypto';
import { ProtonError } from '../../errors';
import { parseJsonBody } from '../../protocol/json-codec';
import { parsePredictData, predictInputTensor, predictOutputJson } from '../../protocol/predict';
import { checkJsonSize, serveWithBody } from './body-route';
import { isServerReady, type HttpContext } from './context';
import { JSON_TYPE, jsonReply, writeReply, type Reply } from './reply';
import { withRouteMetrics } from './original-route-metrics';
import { inferRecorded } from '../request-record';
import { getRoute, guardBodyless, methodNotAllowed } from './routes-common';
import type { TemplatedApp } from './uws';

/** Registers the original Proton REST API: `/predict`, `/models`, `/ready`, `/metrics`. */
export function registerProtonRoutes(app: TemplatedApp, context: HttpContext): void {
  const { registry } = context;

  app.post('/predict', (res, req) => {
    serveWithBody(context, res, req, { inference: true, route: '/predict', original: true }, async (body, head, exchange) => {
      const request = parsePredictRequest(checkJsonSize(body, context.limits, 'request body'));
      const served = registry.get(request.modelName);
      const input = served.model.metadata.inputs[0];
      const output = served.model.metadata.outputs[0];
      if (!input || !output) throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}' has no inputs or no outputs`);
      const { values, dims, serde } = parsePredictData(request.data);
      const results = await inferRecorded(exchange.record, served, { [input.name]: predictInputTensor(input, served.name, values, dims) }, {
        outputs: [output.name],
        timeoutMs: head.timeoutMs,
        cancel: exchange.cancel,
      });
      const result = results[output.name];
      if (!result) throw new ProtonError('INTERNAL', `the model returned no output '${output.name}'`);
      const data = predictOutputJson(result, serde, `output '${output.name}'`);
      const text = `{"prediction_id":"${randomUUID()}","model_name":${JSON.stringify(served.name)},"data":${data}}`;
      return { status: 200, contentType: JSON_TYPE, body: text, code: 'OK' };
    });
  });
  methodNotAllowed(app, '/predict', 'POST');

  getRoute(app, '/models', withRouteMetrics(context, '/models', () => jsonReply(200, { models: registry.list().map((served) => ({ name: served.name })) })));
  methodNotAllowed(app, '/models', 'GET');

  getRoute(app, '/ready', withRouteMetrics(context, '/ready', () => {
    const healthy = isServerReady(context);
    return jsonReply(healthy ? 200 : 503, { healthy });
  }));
  methodNotAllowed(app, '/ready', 'GET');

  app.get('/metrics', (res, req) => {
    const guard = guardBodyless(res, req);
    if (!guard) return;
    // prom-client collects asynchronously: register onAborted before awaiting it.
    let aborted = false;
    const done = context.metrics.httpRoutes.start('GET', '/metrics');
    res.onAborted(() => {
      aborted = true;
      done(499);
    });
    context.metrics.text().then(
      (text): Reply => ({ status: 200, contentType: context.metrics.contentType, body: text }),
      (error: unknown): Reply => jsonReply(500, { error: `cannot collect metrics: ${(error as Error).message}` }),
    ).then((reply) => {
      if (aborted) return;
      done(reply.status);
      res.cork(() => writeReply(res, reply, guard.close));
    });
  });
  methodNotAllowed(app, '/metrics', 'GET');
}

function parsePredictRequest(body: Buffer): { modelName: string; data: unknown } {
  const json = parseJsonBody(body.toString('utf8'));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtonError('INVALID_ARGUMENT', 'request body must be a JSON object with model_name and data');
  }
  const { model_name: modelName, data } = json as Record<string, unknown>;
  if (typeof modelName !== 'string' || modelName === '') {
    throw new ProtonError('INVALID_ARGUMENT', 'model_name must be a non-empty string');
  }
  if (data === undefined) throw new ProtonError('INVALID_ARGUMENT', 'data is required: a nested array of numbers or {"v":1,"dim":[...],"data":[...]}');
  return { modelName, data };
}
