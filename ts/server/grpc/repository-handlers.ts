import type { Metadata, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ProtonError } from '../../errors';
import type {
  ModelConfigRequest,
  ModelConfigResponse,
  ModelRepositoryParameter,
  RepositoryIndexRequest,
  RepositoryIndexResponse,
  RepositoryModelRequest,
  RepositoryModelResponse,
} from '../../protocol/grpc-repository-messages';
import { configToJson } from '../../repository/effective-config';
import {
  loadFromRequest,
  repositoryIndex,
  requireAuthorized,
  unloadFromRequest,
  type ControlParameter,
  type RepositoryControl,
} from '../../repository/repository-control';
import { servedConfig } from '../../repository/served-config';
import { unaryHandler, type GrpcServiceContext } from './unary-handler';

/**
 * Triton's ModelConfig and model repository RPCs of `inference.GRPCInferenceService`. Load and
 * unload need the `--repository-token` in the `authorization` metadata.
 */
export function createRepositoryHandlers(context: GrpcServiceContext): UntypedServiceImplementation {
  const control: RepositoryControl = { registry: context.registry, repository: context.repository };
  return {
    ModelConfig: unaryHandler<ModelConfigRequest, ModelConfigResponse>(context, 'ModelConfig', ({ request }) => ({
      config: configToJson(servedConfig(context.registry, request.name, request.version)),
    })),

    RepositoryIndex: unaryHandler<RepositoryIndexRequest, RepositoryIndexResponse>(context, 'RepositoryIndex', ({ request }) => {
      checkRepositoryName(request.repository_name);
      const rows = repositoryIndex(control, request.ready);
      return { models: rows.map(({ name, version, state, reason }) => ({ name, version, state, reason })) };
    }),

    RepositoryModelLoad: unaryHandler<RepositoryModelRequest, RepositoryModelResponse>(context, 'RepositoryModelLoad', async (call) => {
      requireAuthorized(control, authorizationOf(call.metadata));
      checkRepositoryName(call.request.repository_name);
      await loadFromRequest(control, call.request.model_name, parametersOf(call.request.parameters));
      return {};
    }),

    RepositoryModelUnload: unaryHandler<RepositoryModelRequest, RepositoryModelResponse>(context, 'RepositoryModelUnload', async (call) => {
      requireAuthorized(control, authorizationOf(call.metadata));
      checkRepositoryName(call.request.repository_name);
      await unloadFromRequest(control, call.request.model_name, parametersOf(call.request.parameters));
      return {};
    }),
  };
}

function authorizationOf(metadata: Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  return typeof value === 'string' ? value : undefined;
}

/** Proton serves its repositories as one: only the empty name (every repository) is known. */
function checkRepositoryName(name: string): void {
  if (name !== '') throw new ProtonError('INVALID_ARGUMENT', `repository_name '${name}': Proton serves its repositories as one; leave it empty`);
}

function parametersOf(parameters: Record<string, ModelRepositoryParameter>): Record<string, ControlParameter> {
  const out: Record<string, ControlParameter> = {};
  for (const [key, parameter] of Object.entries(parameters)) {
    const choice = parameter.parameter_choice;
    const value = choice === undefined ? undefined : parameter[choice];
    if (value === undefined) throw new ProtonError('INVALID_ARGUMENT', `parameters.${key} has no value`);
    out[key] = choice === 'int64_param' ? BigInt(value as string | number) : (value as ControlParameter);
  }
  return out;
}
