import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { ProtonError } from '../../errors';
import type { InferOptions, ModelMetadata } from '../../model-types';
import { v2ModelMetadata } from '../../protocol/model-metadata';
import { modelReady, serverReady } from '../../protocol/readiness';
import type { ModelRegistry } from '../../repository/model-registry';
import { SERVER_NAME, SERVER_VERSION, V2_EXTENSIONS } from '../../protocol/server-metadata';
import { inferRecorded } from '../request-record';
import { inferControlOf } from './call-control';
import { encodeLargeAhead } from './infer-codec';
import type {
  Empty,
  InferParameter,
  ModelInferRequest,
  ModelInferResponse,
  ModelMetadataRequest,
  ModelMetadataResponse,
  ModelReadyRequest,
  ModelReadyResponse,
  ServerLiveResponse,
  ServerMetadataResponse,
  ServerReadyResponse,
} from '../../protocol/grpc-messages';
import { modelStatisticsHandler } from './statistics-handler';
import { unaryHandler, type GrpcServiceContext } from './unary-handler';
import { encodeInferOutputs } from '../../protocol/grpc-tensors';
import { decodeWireInferInputs } from '../../protocol/grpc-wire-contents';
import type { WireModelInferRequest } from '../../protocol/infer-request-wire';

/** `inference.GRPCInferenceService`: the Open Inference Protocol's core RPCs. */
export function createInferenceService(context: GrpcServiceContext): UntypedServiceImplementation {
  const { registry } = context;
  return {
    ServerLive: unaryHandler<Empty, ServerLiveResponse>(context, 'ServerLive', () => ({ live: true })),

    ServerReady: unaryHandler<Empty, ServerReadyResponse>(context, 'ServerReady', () => ({
      ready: serverReady({ draining: context.isClosing(), index: registry.index(), served: registry.versions() }),
    })),

    // Like Triton, an unknown model or version is simply not ready: readiness probes never error.
    ModelReady: unaryHandler<ModelReadyRequest, ModelReadyResponse>(context, 'ModelReady', ({ request }) => ({
      ready: isModelReady(registry, context.isClosing(), request.name, request.version),
    })),

    ServerMetadata: unaryHandler<Empty, ServerMetadataResponse>(context, 'ServerMetadata', () => ({
      name: SERVER_NAME,
      version: SERVER_VERSION,
      extensions: [...V2_EXTENSIONS],
    })),

    ModelMetadata: unaryHandler<ModelMetadataRequest, ModelMetadataResponse>(context, 'ModelMetadata', ({ request }) => {
      const served = registry.get(request.name, request.version);
      const versions = registry.versions(served.name).map((each) => each.version);
      return v2ModelMetadata(served.name, served.version, served.model.metadata, versions);
    }),

    ModelInfer: unaryHandler<WireModelInferRequest, ModelInferResponse>(
      context,
      'ModelInfer',
      async (call, record) => {
        const { request } = call;
        const served = registry.get(request.model_name, request.model_version);
        // Requests come from the bounded wire decoder that grpc-server.ts installs (infer-codec.ts).
        const inputs = await decodeWireInferInputs(request.inputs, request.raw_input_contents, context.limits);
        const requested = requestedOutputNames(request);
        const options: InferOptions = inferControlOf(call, requestTimeoutMs(request.parameters));
        if (requested.length > 0) options.outputs = requested;
        const outputs = await inferRecorded(record, served, inputs, options);
        const names = requested.length > 0 ? requested : outputNamesOf(served.model.metadata);
        return encodeLargeAhead({
          model_name: served.name,
          model_version: served.version,
          id: request.id,
          ...encodeInferOutputs(outputs, names),
        });
      },
      { requestIdOf: (request) => request.id },
    ),

    ModelStatistics: modelStatisticsHandler(context),
  };
}

const OUTPUT_NAMES = new WeakMap<ModelMetadata, readonly string[]>();

/** Every output's name in the model's order, computed once per loaded model. */
function outputNamesOf(metadata: ModelMetadata): readonly string[] {
  let names = OUTPUT_NAMES.get(metadata);
  if (names === undefined) {
    names = metadata.outputs.map((output) => output.name);
    OUTPUT_NAMES.set(metadata, names);
  }
  return names;
}

function isModelReady(registry: ModelRegistry, draining: boolean, name: string, version: string): boolean {
  if (!registry.has(name)) return false;
  try {
    return modelReady(draining, registry.get(name, version).model);
  } catch {
    return false; // a version that is not served
  }
}

function requestedOutputNames(request: ModelInferRequest): string[] {
  const names = request.outputs.map((output) => output.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new ProtonError('INVALID_ARGUMENT', `output '${duplicate}' is requested more than once`);
  return names;
}

/** The `timeout` request parameter (Triton's schedule_policy: microseconds, 0 = none) in ms. */
function requestTimeoutMs(parameters: Record<string, InferParameter>): number | undefined {
  const timeout = parameters.timeout;
  if (timeout === undefined) return undefined;
  const choice = timeout.parameter_choice;
  const value = choice === 'int64_param' || choice === 'uint64_param' ? timeout[choice] : undefined;
  const micros = Number(value);
  if (value === undefined || !Number.isSafeInteger(micros) || micros < 0) {
    throw new ProtonError('INVALID_ARGUMENT', 'parameters.timeout must be a non-negative int64_param (microseconds)');
  }
  return micros === 0 ? undefined : micros / 1000;
}
