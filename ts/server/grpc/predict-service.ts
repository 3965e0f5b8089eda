import { randomUUID } from 'node:crypto';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { ProtonError } from '../../errors';
import { elementCount } from '../../protocol/tensor';
import { predictInputTensor } from '../../protocol/predict';
import { inferRecorded } from '../request-record';
import { inferControlOf } from './call-control';
import type { ServerPredictRequest, ServerPredictResponse } from '../../protocol/grpc-messages';
import { unaryHandler, type GrpcServiceContext } from './unary-handler';

/**
 * `predict.Predictor`, the original Proton API: `data` + `shape` are the model's first input
 * (converted to its numeric type, the rule REST `/predict` applies); the answer is its first
 * output, flattened, with its shape.
 */
export function createPredictService(context: GrpcServiceContext): UntypedServiceImplementation {
  return {
    Predict: unaryHandler<ServerPredictRequest, ServerPredictResponse>(
      context,
      'Predict',
      async (call, record) => {
        const { request } = call;
        const served = context.registry.get(request.model_name);
        const { inputs, outputs } = served.model.metadata;
        const input = inputs[0];
        const output = outputs[0];
        if (!input || !output) {
          throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}' has no inputs or no outputs`);
        }
        const dims = predictShape(request, input.shape);
        const result = await inferRecorded(
          record,
          served,
          { [input.name]: predictInputTensor(input, served.name, request.data, dims) },
          { ...inferControlOf(call), outputs: [output.name] },
        );
        const tensor = result[output.name];
        if (!tensor) throw new ProtonError('INTERNAL', `model '${served.name}' returned no output '${output.name}'`);
        if (tensor.type === 'string') {
          throw new ProtonError('INVALID_ARGUMENT', `model '${served.name}': output '${output.name}' is BYTES; Predict answers numeric outputs only`);
        }
        return {
          prediction_id: randomUUID(),
          model_name: served.name,
          // The proto field is float: other numeric outputs (bigint for 64-bit) are converted.
          data: tensor.type === 'float32' ? tensor.data : Float32Array.from(tensor.data as ArrayLike<number | bigint>, Number),
          shape: [...tensor.dims],
        };
      },
      {},
    ),
  };
}

/** The request's shape, checked against the data; an empty shape means the model's static shape. */
function predictShape(request: ServerPredictRequest, modelShape: ReadonlyArray<number | string>): number[] {
  const { data, shape } = request;
  if (shape.length === 0) {
    const isStatic = modelShape.every((dim) => typeof dim === 'number' && dim >= 0);
    if (isStatic && elementCount(modelShape as number[]) === data.length) return modelShape as number[];
    throw new ProtonError('INVALID_ARGUMENT', `shape is required: ${data.length} data elements, model input shape [${modelShape.join(',')}]`);
  }
  if (shape.some((dim) => dim < 0)) {
    throw new ProtonError('INVALID_ARGUMENT', `invalid shape [${shape.join(',')}]; dimensions must be non-negative`);
  }
  const count = elementCount(shape);
  if (count !== data.length) {
    throw new ProtonError('INVALID_ARGUMENT', `shape [${shape.join(',')}] has ${count} elements but data has ${data.length}`);
  }
  return shape;
}
