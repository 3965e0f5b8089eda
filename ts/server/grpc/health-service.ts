import { status as GrpcStatus, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { HealthCheckRequest, HealthCheckResponse } from '../../protocol/grpc-messages';
import type { GrpcServiceContext } from './unary-handler';

/** Services a health check may name; '' asks about the server as a whole. */
const KNOWN_SERVICES = new Set(['', 'inference.GRPCInferenceService', 'predict.Predictor', 'grpc.health.v1.Health']);

/**
 * `grpc.health.v1.Health/Check`: SERVING while the server runs (as Triton does), NOT_SERVING once
 * shutdown begins; an unknown service name gets NOT_FOUND, as the health checking protocol says.
 */
export function createHealthService(context: GrpcServiceContext): UntypedServiceImplementation {
  return {
    Check: (
      call: { request: HealthCheckRequest },
      callback: (error: { code: GrpcStatus; details: string } | null, response?: HealthCheckResponse) => void,
    ) => {
      if (!KNOWN_SERVICES.has(call.request.service)) {
        callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service '${call.request.service}'` });
        return;
      }
      callback(null, { status: context.isClosing() ? 'NOT_SERVING' : 'SERVING' });
    },
  };
}
