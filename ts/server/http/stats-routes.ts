import { statisticsOf } from '../statistics-targets';
import type { HttpContext } from './context';
import { jsonReply } from './reply';
import { getRoute, methodNotAllowed, pathParameter } from './routes-common';
import type { TemplatedApp } from './uws';

/** Triton's statistics extension: `GET /v2/models[/{m}[/versions/{v}]]/stats`. */
export function registerStatsRoutes(app: TemplatedApp, context: HttpContext): void {
  const { registry } = context;
  getRoute(app, '/v2/models/stats', () => jsonReply(200, statisticsOf(registry)));
  methodNotAllowed(app, '/v2/models/stats', 'GET');
  getRoute(app, '/v2/models/:model/stats', (req) => jsonReply(200, statisticsOf(registry, pathParameter(req, 0))));
  methodNotAllowed(app, '/v2/models/:model/stats', 'GET');
  getRoute(app, '/v2/models/:model/versions/:version/stats', (req) =>
    jsonReply(200, statisticsOf(registry, pathParameter(req, 0), pathParameter(req, 1))),
  );
  methodNotAllowed(app, '/v2/models/:model/versions/:version/stats', 'GET');
}
