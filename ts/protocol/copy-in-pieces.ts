import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * Bytes copied per event-loop turn by `copyInPieces`. A copy into fresh memory costs about 0.5 to
 * 0.9 ms per MiB on a 2-core machine (page faults, mostly): 64 MiB at once held the loop 35 to
 * 60 ms; 4 MiB pieces hold it 2 to 4 ms each.
 */
export const COPY_BYTES_PER_TURN = 4 * 1024 * 1024;

/**
 * Copies `source` into `target` at `offset` in pieces of COPY_BYTES_PER_TURN, each in an event-loop
 * turn of its own (the first too: the caller's turn may already hold a large copy of another
 * library's, such as grpc-js joining the message), so that no large copy blocks other requests.
 */
export async function copyInPieces(target: Uint8Array, offset: number, source: Uint8Array): Promise<void> {
  for (let at = 0; at < source.byteLength; at += COPY_BYTES_PER_TURN) {
    await yieldToLoop();
    target.set(source.subarray(at, at + COPY_BYTES_PER_TURN), offset + at);
  }
}
