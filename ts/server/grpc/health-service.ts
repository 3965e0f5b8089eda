import { status as GrpcStatus, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { HealthCheckRequest, HealthCheckResponse } from '../../protocol/grpc-messages';
import { serverReady } from '../../protocol/readiness';
import type { GrpcServiceContext } from './unary-handler';

/** Services a health check may name; '' asks about the server as a whole. */
const KNOWN_SERVICES = new Set(['', 'inference.GRPCInferenceService', 'predict.Predictor', 'grpc.health.v1.Health']);

/** Services whose health is the server's readiness; the others report liveness. */
const READINESS_SERVICES = new Set(['', 'inference.GRPCInferenceService']);

/**
 * `grpc.health.v1.Health/Check`: for '' and `inference.GRPCInferenceService`, SERVING when the
 * server is ready (protocol/readiness: not draining, every model it should serve READY), as a
 * Kubernetes gRPC readiness probe needs; for the other services, SERVING while the server runs
 * (liveness). NOT_SERVING once shutdown begins; an unknown service name gets NOT_FOUND, as the
 * health checking protocol says.
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
      const serving = READINESS_SERVICES.has(call.request.service)
        ? serverReady({ draining: context.isClosing(), index: context.registry.index(), served: context.registry.versions() })
        : !context.isClosing();
      callback(null, { status: serving ? 'SERVING' : 'NOT_SERVING' });
    },
  };
}
