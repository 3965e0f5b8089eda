import type { handleUnaryCall } from '@grpc/grpc-js';
import type { ModelStatisticsRequest } from '../../protocol/grpc-messages';
import type { V2ModelStatisticsResponse } from '../../protocol/statistics';
import { statisticsOf } from '../statistics-targets';
import { unaryHandler, type GrpcServiceContext } from './unary-handler';

/** `inference.GRPCInferenceService/ModelStatistics` (Triton's statistics extension); an empty name asks for every model. */
export function modelStatisticsHandler(
  context: GrpcServiceContext,
): handleUnaryCall<ModelStatisticsRequest, V2ModelStatisticsResponse> {
  return unaryHandler<ModelStatisticsRequest, V2ModelStatisticsResponse>(context, 'ModelStatistics', ({ request }) =>
    statisticsOf(context.registry, request.name, request.version),
  );
}
