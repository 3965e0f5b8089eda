import {
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { budgetExhausted, type Limits } from '../../protocol/limits';
import type { ByteBudget } from '../../protocol/byte-budget';

/** A decoded request that reports its size, for the in-flight budget. */
interface SizedMessage {
  wireBytes?: unknown;
}

/**
 * A server interceptor for every call: a call whose request message has not fully arrived within
 * `receiveTimeoutMs` of its headers is failed with DEADLINE_EXCEEDED (grpc-js would keep it open
 * forever), and a decoded request holds its bytes in the server-wide budget until the call ends;
 * when the budget is spent the call is refused with RESOURCE_EXHAUSTED before any work.
 */
export function requestGuard(limits: Limits, budget: ByteBudget): ServerInterceptor {
  return (_method, call: ServerInterceptingCallInterface) => {
    let held = 0;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      budget.release(held);
      held = 0;
    };
    return new ServerInterceptingCall(call, {
      start: (next) => {
        timer = setTimeout(() => {
          timer = undefined;
          call.sendStatus({
            code: GrpcStatus.DEADLINE_EXCEEDED,
            details: `the request message did not arrive within ${limits.receiveTimeoutMs} ms`,
          });
          end();
        }, limits.receiveTimeoutMs);
        timer.unref();
        next({
          onReceiveMetadata: (metadata, nextMetadata) => nextMetadata(metadata),
          onReceiveMessage: (message: SizedMessage, nextMessage) => {
            clearTimeout(timer);
            const bytes = typeof message?.wireBytes === 'number' ? message.wireBytes : 0;
            if (ended) return;
            if (!budget.tryReserve(bytes)) {
              call.sendStatus({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: budgetExhausted(limits).message });
              end();
              return;
            }
            held += bytes;
            nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => nextHalfClose(),
          onCancel: () => end(),
        });
      },
      sendStatus: (status, nextStatus) => {
        end();
        nextStatus(status);
      },
    });
  };
}
