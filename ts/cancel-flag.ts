/**
 * A cancellation word the model's native thread reads before it runs a job: setting it drops the
 * job if it has not started. A server's hot path owns one per request instead of building an
 * AbortController, its AbortSignal, a listener and (on abort) a DOMException.
 */
export class CancelFlag {
  /** Element 0 is non-zero once cancelled; the addon reads it from the model's thread. */
  readonly word = freshWord();

  /** Drops the job if it has not started yet (its promise rejects with CANCELLED). */
  cancel(): void {
    Atomics.store(this.word, 0, 1);
  }

  get cancelled(): boolean {
    return Atomics.load(this.word, 0) !== 0;
  }
}

/** Cancellation words are cut from shared blocks of this many. */
const WORDS_PER_BLOCK = 1024;
let block = new Int32Array(WORDS_PER_BLOCK);
let nextWord = 0;

/**
 * A zeroed word of its own, as a view into a shared block: a one-element Int32Array would live on
 * V8's heap until the addon asks for its address, and then get an ArrayBuffer of its own (a
 * malloc and a GC-swept backing store per request, about 0.4 µs). Words are never reused: a
 * block is freed by the GC once no flag views it.
 */
function freshWord(): Int32Array {
  if (nextWord === WORDS_PER_BLOCK) {
    block = new Int32Array(WORDS_PER_BLOCK);
    nextWord = 0;
  }
  return block.subarray(nextWord, ++nextWord);
}
