/**
 * Sources a stream test drives step by step: every `next()` waits until the test
 * answers it, and every call is counted — pulls, `return()`s, the most `next()`
 * calls in flight at once — so "never two at once", "nothing pulled after the end"
 * and "closed exactly once" can be asserted, not assumed.
 */
import { type Deferred, deferred } from './deferred';

export interface ControlledSource<T> extends AsyncIterableIterator<T> {
  /** `next()` calls so far. */
  readonly pulls: number;
  /** `return()` calls so far. */
  readonly returns: number;
  /** `next()` calls not yet answered. */
  readonly waiting: number;
  /** The most `next()` calls that were ever unanswered at once. */
  readonly mostInFlight: number;
  /** Answers the oldest waiting `next()` with `value`. Throws if none waits. */
  give(value: T): void;
  /** Answers the oldest waiting `next()` with the end of the source. */
  end(): void;
  /** Rejects the oldest waiting `next()` with `error`. */
  fail(error: unknown): void;
  /** What `return()` resolves with is held until this settles (default: at once). */
  holdReturn(until: Promise<unknown>): void;
}

export function controlledSource<T>(): ControlledSource<T> {
  const waiting: Deferred<IteratorResult<T>>[] = [];
  let pulls = 0;
  let returns = 0;
  let mostInFlight = 0;
  let returnHeld: Promise<unknown> | undefined;
  const oldest = () => {
    const next = waiting.shift();
    if (next === undefined) throw new Error('no next() is waiting');
    return next;
  };
  const source: ControlledSource<T> = {
    get pulls() {
      return pulls;
    },
    get returns() {
      return returns;
    },
    get waiting() {
      return waiting.length;
    },
    get mostInFlight() {
      return mostInFlight;
    },
    next() {
      pulls++;
      const answer = deferred<IteratorResult<T>>();
      waiting.push(answer);
      mostInFlight = Math.max(mostInFlight, waiting.length);
      return answer.promise;
    },
    async return() {
      returns++;
      if (returnHeld !== undefined) await returnHeld;
      return { done: true, value: undefined };
    },
    give(value) {
      oldest().resolve({ done: false, value });
    },
    end() {
      oldest().resolve({ done: true, value: undefined });
    },
    fail(error) {
      oldest().reject(error);
    },
    holdReturn(until) {
      returnHeld = until;
    },
    [Symbol.asyncIterator]() {
      return source;
    },
  };
  return source;
}

/** A synchronous iterable that counts its pulls and `return()` calls, and never ends. */
export function countingEndless(): Iterable<number> & {
  readonly pulls: number;
  readonly returns: number;
} {
  let pulls = 0;
  let returns = 0;
  return {
    get pulls() {
      return pulls;
    },
    get returns() {
      return returns;
    },
    [Symbol.iterator]() {
      return {
        next: () => ({ done: false, value: pulls++ }),
        return: () => {
          returns++;
          return { done: true, value: undefined };
        },
      };
    },
  };
}
