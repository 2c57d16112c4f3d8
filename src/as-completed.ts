import { beginRun, createRun } from './call';
import type { GatherOptions } from './option-types';
import { nativeThen } from './promises';
import { Queue } from './queue';
import type { AsCompletedEntry, AsCompletedIterator, CompletedEntry } from './result-types';
import { GO_ON, type Rules } from './rules';
import type { Run } from './run';
import type { GatherInput, GatherTasks } from './types';

type Entry = CompletedEntry<unknown, unknown>;
type Step = IteratorResult<Entry, undefined>;

function endOfIteration(): IteratorReturnResult<undefined> {
  return { done: true, value: undefined };
}

/**
 * What `asCompleted` keeps beside its run: each outcome becomes an entry the
 * moment it is known, handed to the oldest waiting `next()` or buffered until one
 * asks. The iteration ends when the run is over and the buffer is empty, or at
 * once when the consumer leaves the loop.
 */
class Delivery {
  /** Keys in input order for keyed input; `undefined` for positional input (the key is the index). */
  keys: unknown[] | undefined;
  /** Invariant: entries nobody has asked for; non-empty only while no `next()` waits. */
  #buffer = new Queue<Entry>();
  /** Invariant: how to resolve each waiting `next()`, oldest first; non-empty only while the buffer is empty. */
  readonly #waiters = new Queue<(step: Step) => void>();
  /** The consumer left the loop: nothing more is delivered. */
  #left = false;
  /** The run has settled: no entry comes after the buffered ones. */
  #over = false;
  /** A crash waits here, behind the buffered entries, for the `next()` that takes it. */
  #crashPending = false;
  #crashError: unknown;

  deliver(entry: Entry): void {
    if (this.#left) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) this.#buffer.push(entry);
    else waiter({ done: false, value: entry });
  }

  keyAt(slot: number): unknown {
    return this.keys === undefined ? slot : this.keys[slot];
  }

  /** What `next()` returns: the oldest buffered entry, the end, or a wait for the next entry. */
  take(): Promise<Step> {
    const entry = this.#buffer.shift();
    if (entry !== undefined) return Promise.resolve({ done: false, value: entry });
    if (this.#crashPending) {
      this.#crashPending = false;
      return Promise.reject(this.#crashError);
    }
    if (this.#over || this.#left) return Promise.resolve(endOfIteration());
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * What `return()` does — the consumer left the loop: the tasks still running are
   * aborted and nothing more starts; it resolves with the end of the iteration,
   * with `waitForCleanup` once the started task functions have settled.
   */
  leave(run: Run<Delivery>): Promise<IteratorReturnResult<undefined>> {
    if (!this.#left) {
      this.#left = true;
      this.#crashPending = false;
      this.#buffer = new Queue();
      this.#endWaiters();
      run.leave();
    }
    if (this.#over) return Promise.resolve(endOfIteration());
    return nativeThen.call(run.promise, endOfIteration, undefined) as Promise<
      IteratorReturnResult<undefined>
    >;
  }

  /**
   * The run settled; `rejects` only when it crashed as it began (a caller's
   * signal-like object that throws), before any `next()`: the first one rejects.
   */
  end(rejects: boolean, error: unknown): void {
    this.#over = true;
    this.#crashPending = rejects;
    this.#crashError = error;
    this.#endWaiters();
  }

  #endWaiters(): void {
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      waiter(endOfIteration());
    }
  }
}

/**
 * `asCompleted`: `gatherSettled`'s rules, but each outcome is delivered as an
 * entry, and its value let go of (a consumed entry's value must be collectable
 * while the loop goes on: test/leak/heap.mjs, "results already taken are collectable").
 */
const completionRules: Rules<Delivery> = {
  keepsEveryOutcome: true,
  batch: undefined,
  defersPlainValues: false,
  resultRejects: false,
  fulfilled(kept, slot, value, delivery) {
    kept[slot] = undefined;
    delivery.deliver({ key: delivery.keyAt(slot), status: 'fulfilled', value });
    return GO_ON;
  },
  rejected(kept, slot, reason, delivery) {
    kept[slot] = undefined;
    delivery.deliver({ key: delivery.keyAt(slot), status: 'rejected', reason });
    return GO_ON;
  },
  result: () => undefined,
  settled: (delivery, rejects, error) => delivery.end(rejects, error),
};

/**
 * The iterator `asCompleted` returns: a thin face over its run, so nothing of the
 * run's state can be reached from outside. Its own async iterable, usable once.
 */
class CompletionIterator implements AsyncIterableIterator<Entry> {
  /** `undefined` when the arguments were bad: {@link startError} is all there is to say. */
  readonly #run: Run<Delivery> | undefined;
  #startErrorPending: boolean;
  readonly #startError: unknown;

  constructor(run: Run<Delivery> | undefined, startError: unknown) {
    this.#run = run;
    this.#startErrorPending = run === undefined;
    this.#startError = startError;
  }

  next(): Promise<Step> {
    if (this.#run !== undefined) return this.#run.context.take();
    if (!this.#startErrorPending) return Promise.resolve(endOfIteration());
    this.#startErrorPending = false;
    return Promise.reject(this.#startError);
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    this.#startErrorPending = false;
    if (this.#run !== undefined) return this.#run.context.leave(this.#run);
    return Promise.resolve(endOfIteration());
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Runs tasks concurrently, as {@link gatherSettled} does, and hands out each
 * outcome the moment it is known: an async iterator of entries in *completion*
 * order — `{ key, status: 'fulfilled', value }` or `{ key, status: 'rejected',
 * reason }`, where `key` is the index (positional input) or the key (object, Map).
 * Like asyncio's `as_completed`, with the keys kept.
 *
 * Task functions are called during the `asCompleted(...)` call (or as the bound
 * allows). A failure does not abort the others. Leaving the loop early (`break`, a
 * throw in its body) aborts the tasks still running with an `"AbortError"` and
 * starts nothing more. On the caller's abort or the `timeout`, the tasks that had
 * not finished are reported rejected with that reason, and the iteration ends.
 * Entries nobody has asked for yet are buffered, never lost. It never throws
 * synchronously: bad arguments reject the first `next()`.
 *
 * @param tasks - An iterable (array, Set, generator…), a plain object, or a `Map`.
 * @param options - As for {@link gather}; with `waitForCleanup`, leaving the loop
 * waits for the started task functions to settle.
 *
 * @example
 * ```ts
 * for await (const entry of asCompleted(urls.map((url) => (signal) => fetch(url, { signal })))) {
 *   if (entry.status === 'fulfilled') progress.done(entry.key);
 * }
 * ```
 */
export function asCompleted<T extends GatherInput>(
  tasks: GatherTasks<T>,
  options?: GatherOptions,
): AsCompletedIterator<AsCompletedEntry<T>>;
export function asCompleted(tasks: unknown, options?: GatherOptions): AsyncIterableIterator<Entry> {
  let run: Run<Delivery>;
  try {
    run = createRun(completionRules, new Delivery(), tasks, options);
  } catch (error) {
    return new CompletionIterator(undefined, error);
  }
  run.context.keys = run.collection.keys;
  return new CompletionIterator(beginRun(run), undefined);
}
