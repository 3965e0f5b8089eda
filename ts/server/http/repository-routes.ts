import { ProtonError } from '../../errors';
import { parseJsonBody } from '../../protocol/json-codec';
import type { IndexRow } from '../../repository/model-state';
import {
  loadFromRequest,
  repositoryIndex,
  requireAuthorized,
  unloadFromRequest,
  type ControlParameter,
  type RepositoryControl,
} from '../../repository/repository-control';
import { serveWithBody } from './body-route';
import type { HttpContext } from './context';
import { errorReply } from './http-error';
import { JSON_TYPE, jsonReply, writeReply, type Reply } from './reply';
import { methodNotAllowed, pathParameter } from './routes-common';
import type { TemplatedApp } from './uws';

/** Triton answers a successful load or unload with 200 and no body. */
const EMPTY_OK: Reply = { status: 200, contentType: JSON_TYPE, body: '', code: 'OK' };

/**
 * Triton's model repository extension over REST: `POST /v2/repository/index`,
 * `POST /v2/repository/models/:m/load` and `.../unload`. Load and unload check the
 * `--repository-token` before reading the body.
 */
export function registerRepositoryRoutes(app: TemplatedApp, context: HttpContext): void {
  const control: RepositoryControl = { registry: context.registry, repository: context.repository };

  app.post('/v2/repository/index', (res, req) => {
    serveWithBody(context, res, req, { inference: false }, async (body) => {
      const { ready } = parseIndexBody(body);
      return jsonReply(200, repositoryIndex(control, ready).map(restRow));
    });
  });
  methodNotAllowed(app, '/v2/repository/index', 'POST');

  for (const [action, run] of [
    ['load', loadFromRequest],
    ['unload', unloadFromRequest],
  ] as const) {
    const pattern = `/v2/repository/models/:model/${action}`;
    app.post(pattern, (res, req) => {
      const name = pathParameter(req, 0);
      const authorization = req.getHeader('authorization') || undefined;
      try {
        requireAuthorized(control, authorization);
      } catch (error) {
        // The body is not read: close so its bytes are never parsed as a next request.
        writeReply(res, { ...errorReply(error), headers: [['WWW-Authenticate', 'Bearer']] }, true);
        return;
      }
      serveWithBody(context, res, req, { inference: false }, async (body) => {
        await run(control, name, parseControlParameters(body, action));
        return EMPTY_OK;
      });
    });
    methodNotAllowed(app, pattern, 'POST');
  }
}

/** Triton's HTTP index rows leave out an empty version, state and reason. */
function restRow(row: IndexRow): Record<string, string> {
  const out: Record<string, string> = { name: row.name };
  if (row.version !== '') out.version = row.version;
  if (row.state !== '') out.state = row.state;
  if (row.reason !== '') out.reason = row.reason;
  return out;
}

function parseObjectBody(body: Buffer, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (body.length === 0) return {};
  const json = parseJsonBody(body.toString('utf8'));
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ProtonError('INVALID_ARGUMENT', `${what} body must be a JSON object`);
  }
  for (const key of Object.keys(json)) {
    if (!allowed.includes(key)) throw new ProtonError('INVALID_ARGUMENT', `${what} body: unknown key '${key}' (allowed: ${allowed.join(', ')})`);
  }
  return json as Record<string, unknown>;
}

/** `{"ready": bool}`, both optional; an empty body lists everything. */
function parseIndexBody(body: Buffer): { ready: boolean } {
  const { ready } = parseObjectBody(body, 'repository index', ['ready']);
  if (ready !== undefined && typeof ready !== 'boolean') throw new ProtonError('INVALID_ARGUMENT', 'repository index: ready must be a boolean');
  return { ready: ready === true };
}

/** `{"parameters": {...}}` of a load or unload request: strings, booleans and numbers. */
function parseControlParameters(body: Buffer, action: string): Record<string, ControlParameter> {
  const { parameters } = parseObjectBody(body, `model ${action}`, ['parameters']);
  if (parameters === undefined) return {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new ProtonError('INVALID_ARGUMENT', `model ${action}: parameters must be a JSON object`);
  }
  const out: Record<string, ControlParameter> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
      throw new ProtonError('INVALID_ARGUMENT', `model ${action}: parameters.${key} must be a string, a boolean or a number`);
    }
    out[key] = value;
  }
  return out;
}
