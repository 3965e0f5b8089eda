import {
  status as GrpcStatus,
  type Deadline,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptingCall,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { budgetExhausted, type Limits } from '../../protocol/limits';
import type { ByteBudget } from '../../protocol/byte-budget';

// The parts of grpc-js's call interface that its package index does not export by name.
/** What grpc-js hands a call's events to: the next listener inward, towards the handler. */
type CallListener = Parameters<ServerInterceptingCallInterface['start']>[0];
type PartialStatusObject = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];
type ConnectionInfo = ReturnType<ServerInterceptingCallInterface['getConnectionInfo']>;
type AuthContext = ReturnType<ServerInterceptingCallInterface['getAuthContext']>;

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
  // grpc-js types an interceptor's result as its ServerInterceptingCall class, but only calls the
  // interface on it (the next interceptor and the handler receive it as the interface).
  return (_method, call) => new GuardedCall(call, limits, budget) as unknown as ServerInterceptingCall;
}

/**
 * One call under the guard. It is both the call the handler side talks to and the listener grpc-js
 * reports the call's events to, with methods on the prototype: grpc-js's ServerInterceptingCall
 * builds a responder, a listener and a closure per event for every call, which measured about
 * 4 µs of CPU a call on the tiny model.
 */
class GuardedCall implements ServerInterceptingCallInterface, CallListener {
  private listener: CallListener | undefined;
  /** Budget bytes this call holds: the worst case while a compressed message arrives, then its decoded size. */
  private held = 0;
  /** The worst case a compressed call held from its headers on (0 for an uncompressed one). */
  private worstCase = 0;
  private received = false;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly next: ServerInterceptingCallInterface,
    private readonly limits: Limits,
    private readonly budget: ByteBudget,
  ) {}

  start(listener: CallListener): void {
    this.listener = listener;
    this.worstCase = isCompressed(this.next) ? grpcReceiveLimit(this.limits) : 0;
    const admitted = this.budget.tryReserve(this.worstCase, true);
    if (admitted) this.held = this.worstCase;
    this.timer = setTimeout(receiveTimedOut, this.limits.receiveTimeoutMs, this);
    this.timer.unref();
    this.next.start(this);
    // Refused after starting, so that grpc-js sees an ordinary call end (it then reads nothing).
    if (!admitted) this.refuse();
  }

  onReceiveMetadata(metadata: Metadata): void {
    this.listener?.onReceiveMetadata(metadata);
  }

  onReceiveMessage(message: SizedMessage): void {
    clearTimeout(this.timer);
    this.received = true;
    if (this.ended) return;
    const bytes = typeof message?.wireBytes === 'number' ? message.wireBytes : 0;
    // The decoded size replaces the worst case held while the message was received.
    this.budget.release(this.held);
    this.held = 0;
    if (!this.budget.tryReserve(bytes)) {
      this.refuse();
      return;
    }
    this.held = bytes;
    this.listener?.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    this.listener?.onReceiveHalfClose();
  }

  onCancel(): void {
    this.end();
    this.listener?.onCancel();
  }

  sendMetadata(metadata: Metadata): void {
    this.next.sendMetadata(metadata);
  }

  sendMessage(message: unknown, callback: () => void): void {
    this.next.sendMessage(message, callback);
  }

  sendStatus(status: PartialStatusObject): void {
    this.end();
    this.next.sendStatus(status);
  }

  startRead(): void {
    this.next.startRead();
  }

  getPeer(): string {
    return this.next.getPeer();
  }

  getDeadline(): Deadline {
    return this.next.getDeadline();
  }

  getHost(): string {
    return this.next.getHost();
  }

  getAuthContext(): AuthContext {
    return this.next.getAuthContext();
  }

  getConnectionInfo(): ConnectionInfo {
    return this.next.getConnectionInfo();
  }

  getMetricsRecorder(): ReturnType<ServerInterceptingCallInterface['getMetricsRecorder']> {
    return this.next.getMetricsRecorder();
  }

  timeOutReceive(): void {
    this.timer = undefined;
    this.next.sendStatus({
      code: GrpcStatus.DEADLINE_EXCEEDED,
      details: `the request message did not arrive within ${this.limits.receiveTimeoutMs} ms`,
    });
    this.end();
  }

  private refuse(): void {
    this.next.sendStatus({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: budgetExhausted(this.limits).message });
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    // A compressed message that never reached us (grpc-js refused its inflated size, or the call
    // ended first) may have inflated up to the worst case it holds: count that as used.
    if (!this.received && this.worstCase > 0 && this.held > 0) this.budget.noteRequest(this.held);
    this.budget.release(this.held);
    this.held = 0;
  }
}

/** The receive timer's callback, with the call as its argument (no closure per call). */
function receiveTimedOut(call: GuardedCall): void {
  call.timeOutReceive();
}
