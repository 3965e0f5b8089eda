import { configToJson } from '../../repository/effective-config';
import { servedConfig } from '../../repository/served-config';
import type { HttpContext } from './context';
import { jsonReply } from './reply';
import { getRoute, methodNotAllowed, pathParameter } from './routes-common';
import type { TemplatedApp } from './uws';

/**
 * Triton's model configuration extension over REST: `GET /v2/models/:m[/versions/:v]/config`
 * answers the effective ModelConfig as JSON with proto field names, not wrapped (as Triton does).
 */
export function registerConfigRoutes(app: TemplatedApp, context: HttpContext): void {
  getRoute(app, '/v2/models/:model/config', (req) => jsonReply(200, configToJson(servedConfig(context.registry, pathParameter(req, 0)))));
  methodNotAllowed(app, '/v2/models/:model/config', 'GET');
  getRoute(app, '/v2/models/:model/versions/:version/config', (req) =>
    jsonReply(200, configToJson(servedConfig(context.registry, pathParameter(req, 0), pathParameter(req, 1)))),
  );
  methodNotAllowed(app, '/v2/models/:model/versions/:version/config', 'GET');
}
