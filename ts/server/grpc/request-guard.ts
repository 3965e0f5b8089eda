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
 * The largest message grpc-js accepts, before and after decompression alike: grpc-js checks the
 * frame's length prefix against it and stops inflating (RESOURCE_EXHAUSTED) once the inflated
 * bytes pass it, so one compressed message never holds more than this.
 */
export function grpcReceiveLimit(limits: Limits): number {
  return Math.max(limits.maxRequestBytes, limits.maxDecodedBytes);
}

/**
 * Whether the call's messages come compressed. grpc-js 1.14 (pinned) removes `grpc-encoding` from
 * the metadata it hands to interceptors and keeps it on its base call, which is the call the first
 * interceptor receives; test/hardening-grpc.test.ts fails if that ever changes.
 */
function isCompressed(call: ServerInterceptingCallInterface): boolean {
  const encoding = (call as { incomingEncoding?: unknown }).incomingEncoding;
  return typeof encoding === 'string' && encoding !== 'identity';
}

/**
 * A server interceptor for every call: a call whose request message has not fully arrived within
 * `receiveTimeoutMs` of its headers is failed with DEADLINE_EXCEEDED (grpc-js would keep it open
 * forever), and a decoded request holds its bytes in the server-wide budget until the call ends;
 * when the budget is spent the call is refused with RESOURCE_EXHAUSTED before any work.
 * grpc-js inflates a compressed message into memory before anyone sees it, so a compressed call
 * holds the worst case (`grpcReceiveLimit`) from its headers on, and is refused at once when the
 * budget cannot hold it: concurrent gzip bombs cannot add up past the budget.
 */
export function requestGuard(limits: Limits, budget: ByteBudget): ServerInterceptor {
  return (_method, call: ServerInterceptingCallInterface) => {
    let held = 0;
    let ended = false;
    let received = false;
    let worstCase = 0;
    let timer: NodeJS.Timeout | undefined;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      // A compressed message that never reached us (grpc-js refused its inflated size, or the call
      // ended first) may have inflated up to the worst case it holds: count that as used.
      if (!received && worstCase > 0 && held > 0) budget.noteRequest(held);
      budget.release(held);
      held = 0;
    };
    const refuse = (): void => {
      call.sendStatus({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: budgetExhausted(limits).message });
      end();
    };
    return new ServerInterceptingCall(call, {
      start: (next) => {
        worstCase = isCompressed(call) ? grpcReceiveLimit(limits) : 0;
        const admitted = budget.tryReserve(worstCase, true);
        if (admitted) held = worstCase;
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
            received = true;
            const bytes = typeof message?.wireBytes === 'number' ? message.wireBytes : 0;
            if (ended) return;
            // The decoded size replaces the worst case held while the message was received.
            budget.release(held);
            held = 0;
            if (!budget.tryReserve(bytes)) {
              refuse();
              return;
            }
            held = bytes;
            nextMessage(message);
          },
          onReceiveHalfClose: (nextHalfClose) => nextHalfClose(),
          onCancel: () => end(),
        });
        // Refused after starting, so that grpc-js sees an ordinary call end (it then reads nothing).
        if (!admitted) refuse();
      },
      sendStatus: (status, nextStatus) => {
        end();
        nextStatus(status);
      },
    });
  };
}
