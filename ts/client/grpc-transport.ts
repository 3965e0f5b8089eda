import {
  credentials,
  loadPackageDefinition,
  status as GrpcStatus,
  type Client,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { fromV2Datatype, toV2Datatype } from '../protocol/datatypes';
import type { ModelInferRequest, ModelInferResponse, PredictRequest, PredictResponse } from '../protocol/grpc-messages';
import { loadProto } from '../protocol/proto-loading';
import { decodeRawTensor, encodeRawTensor } from '../protocol/raw-codec';
import type { NamedTensor } from './input-generator';
import { modelSpecOf, type ModelSpec, type TensorSpec } from './model-spec';
import { RequestError } from './request-error';
import { tensorDataFromValues } from './tensor-values';
import type { InferTransport, PreparedCall } from './transport';

/** `v2` = inference.GRPCInferenceService/ModelInfer with raw contents; `predict` = the original predict.Predictor/Predict. */
export const GRPC_APIS = ['v2', 'predict'] as const;

/** Which gRPC service the client calls. */
export type GrpcApi = (typeof GRPC_APIS)[number];

/** Options of the gRPC transport. */
export interface GrpcTransportOptions {
  /** host:port of the server, e.g. localhost:50051. */
  url: string;
  api: GrpcApi;
}

/** Like the server, lift grpc-js's 4 MiB receive limit so large tensors pass. */
const MAX_MESSAGE_BYTES = 2 ** 31 - 1;

/** The unary methods the client calls, in grpc-js's callback style. */
type UnaryMethod<Request, Response> = (
  request: Request,
  callback: (error: ServiceError | null, response: Response) => void,
) => void;

/** Proton's gRPC APIs over one HTTP/2 channel (grpc-js multiplexes every concurrent call on it). */
export class GrpcTransport implements InferTransport {
  readonly clientType: string;
  private readonly api: GrpcApi;
  private readonly inference: Client;
  private readonly predictor: Client;

  constructor(options: GrpcTransportOptions) {
    this.api = options.api;
    this.clientType = options.api === 'v2' ? 'gRPC (V2 raw)' : 'gRPC (predict)';
    const target = options.url.replace(/^grpc:\/\//, '');
    this.inference = createClient('inference.proto', 'inference.GRPCInferenceService', target);
    this.predictor = createClient('predict.proto', 'predict.Predictor', target);
  }

  async fetchModelSpec(model: string): Promise<ModelSpec> {
    return modelSpecOf(await this.call(this.inference, 'ModelMetadata', { name: model, version: '' }), model);
  }

  prepare(spec: ModelSpec, inputs: NamedTensor[]): PreparedCall {
    if (this.api === 'predict') return this.preparePredict(spec, inputs);
    const request: Partial<ModelInferRequest> = {
      model_name: spec.name,
      inputs: inputs.map((input) => ({
        name: input.name,
        datatype: toV2Datatype(input.type),
        shape: [...input.dims],
        parameters: {},
        contents: null,
      })),
      raw_input_contents: inputs.map((input) => {
        const bytes = encodeRawTensor(input);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }),
    };
    const infer = (): Promise<ModelInferResponse> => this.call<ModelInferResponse>(this.inference, 'ModelInfer', request);
    return {
      send: async () => {
        await infer();
      },
      infer: async () => decodeInferResponse(await infer()),
    };
  }

  answeredOutputs(spec: ModelSpec): TensorSpec[] {
    return this.api === 'predict' ? spec.outputs.slice(0, 1) : spec.outputs;
  }

  close(): void {
    this.inference.close();
    this.predictor.close();
  }

  /** Predict carries the first input as float32 `data` plus `shape`, and answers the first output likewise. */
  private preparePredict(spec: ModelSpec, inputs: NamedTensor[]): PreparedCall {
    const input = inputs[0];
    if (inputs.length !== 1 || !input || input.type !== 'float32') {
      throw new Error(
        `model '${spec.name}' needs ${inputs.map((entry) => `${entry.name}: ${toV2Datatype(entry.type)}`).join(', ')}; ` +
          'predict.Predictor sends exactly one FP32 input (use --grpc-api v2)',
      );
    }
    const request: PredictRequest = {
      model_name: spec.name,
      data: Array.from(input.data as Float32Array),
      shape: [...input.dims],
    };
    const predict = (): Promise<PredictResponse> => this.call<PredictResponse>(this.predictor, 'Predict', request);
    return {
      send: async () => {
        await predict();
      },
      infer: async () => {
        const response = await predict();
        const output = spec.outputs[0];
        const type = output && fromV2Datatype(output.datatype);
        if (!output || type === undefined) throw new Error(`model '${spec.name}' has no first output of a known datatype`);
        const data = tensorDataFromValues(type, response.data, `output '${output.name}'`);
        return [{ name: output.name, type, dims: response.shape, data } as NamedTensor];
      },
    };
  }

  private call<Response>(client: Client, method: string, request: object): Promise<Response> {
    const fn = (client as unknown as Record<string, UnaryMethod<object, Response>>)[method];
    if (!fn) throw new Error(`gRPC client has no method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(client, request, (error, response) => (error ? reject(serviceError(error)) : resolve(response)));
    });
  }
}

function createClient(protoFile: string, service: string, target: string): Client {
  const loaded = loadPackageDefinition(loadProto(protoFile));
  const Constructor = service.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], loaded);
  return new (Constructor as ServiceClientConstructor)(target, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
}

/** Outputs from `raw_output_contents`, one entry per output in order (what Proton and Triton answer). */
function decodeInferResponse(response: ModelInferResponse): NamedTensor[] {
  return response.outputs.map((output, index) => {
    const what = `output '${output.name}'`;
    const type = fromV2Datatype(output.datatype);
    if (type === undefined) throw new Error(`${what} has unknown datatype ${output.datatype}`);
    const raw = response.raw_output_contents[index];
    if (!raw) throw new Error(`${what} has no raw_output_contents entry`);
    const dims = output.shape.map(Number);
    return { name: output.name, type, dims, data: decodeRawTensor(type, dims, raw, what) } as NamedTensor;
  });
}

function serviceError(error: ServiceError): RequestError {
  const name = GrpcStatus[error.code] ?? String(error.code);
  return new RequestError(`gRPC ${name}`, error.details || error.message);
}
