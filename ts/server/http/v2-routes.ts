import { ProtonError } from '../../errors';
import { v2ModelMetadata } from '../../protocol/model-metadata';
import { SERVER_NAME, SERVER_VERSION, V2_EXTENSIONS } from '../../protocol/server-metadata';
import { serveWithBody } from './body-route';
import { isServerReady, type HttpContext } from './context';
import { jsonReply } from './reply';
import { getRoute, methodNotAllowed, pathParameter } from './routes-common';
import type { HttpRequest, TemplatedApp } from './uws';
import { inferV2 } from './v2-infer';

/** Model name and optional version of `/v2/models/:m[/versions/:v]...`. */
type ModelRef = (req: HttpRequest) => { name: string; version: string | undefined };
const unversioned: ModelRef = (req) => ({ name: pathParameter(req, 0), version: undefined });
const versioned: ModelRef = (req) => ({ name: pathParameter(req, 0), version: pathParameter(req, 1) });

/** Registers the Open Inference Protocol (KServe V2) REST routes. */
export function registerV2Routes(app: TemplatedApp, context: HttpContext): void {
  const { registry } = context;

  getRoute(app, '/v2', () => jsonReply(200, { name: SERVER_NAME, version: SERVER_VERSION, extensions: V2_EXTENSIONS }));
  methodNotAllowed(app, '/v2', 'GET');

  getRoute(app, '/v2/health/live', () => jsonReply(200, { live: true }));
  methodNotAllowed(app, '/v2/health/live', 'GET');

  // Not ready answers 400, as Triton does; the JSON body says it too.
  getRoute(app, '/v2/health/ready', () => {
    const ready = isServerReady(context);
    return jsonReply(ready ? 200 : 400, { ready });
  });
  methodNotAllowed(app, '/v2/health/ready', 'GET');

  for (const [prefix, ref] of [
    ['/v2/models/:model', unversioned],
    ['/v2/models/:model/versions/:version', versioned],
  ] as const) {
    getRoute(app, prefix, (req) => {
      const { name, version } = ref(req);
      const served = registry.get(name, version);
      const versions = registry.versions(served.name).map((each) => each.version);
      return jsonReply(200, v2ModelMetadata(served.name, served.version, served.model.metadata, versions));
    });
    methodNotAllowed(app, prefix, 'GET');

    getRoute(app, `${prefix}/ready`, (req) => {
      const { name, version } = ref(req);
      // A known model whose version is loading or unloaded is simply not ready; unknown names are 404.
      if (!registry.has(name)) throw new ProtonError('NOT_FOUND', `unknown model '${name}'`);
      const ready = !(context.inFlight.draining || context.drain?.draining === true) && registry.isReady(name, version);
      return jsonReply(ready ? 200 : 400, { name, ready });
    });
    methodNotAllowed(app, `${prefix}/ready`, 'GET');

    app.post(`${prefix}/infer`, (res, req) => {
      const { name, version } = ref(req);
      serveWithBody(context, res, req, { inference: true, route: `${prefix}/infer` }, async (body, head, exchange) => {
        const served = registry.get(name, version);
        return inferV2(served, body, head, exchange.cancel, context.limits, context.inferHeaders, exchange.record);
      });
    });
    methodNotAllowed(app, `${prefix}/infer`, 'POST');
  }
}
