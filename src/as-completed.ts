import { AsCompletedRun, type CompletedEntry, endOfIteration } from './as-completed-run';
import { startRun } from './start-run';
import type {
  AsCompletedEntry,
  AsCompletedIterator,
  GatherInput,
  GatherOptions,
  GatherTasks,
} from './types';

/**
 * The iterator `asCompleted` returns: a thin face over its run, so nothing of the
 * run's state can be reached from outside. Its own async iterable, usable once.
 */
class CompletionIterator implements AsyncIterableIterator<CompletedEntry> {
  /** `undefined` when the arguments were bad: {@link startError} is all there is to say. */
  readonly #run: AsCompletedRun | undefined;
  #startErrorPending: boolean;
  readonly #startError: unknown;

  constructor(run: AsCompletedRun | undefined, startError: unknown) {
    this.#run = run;
    this.#startErrorPending = run === undefined;
    this.#startError = startError;
  }

  next(): Promise<IteratorResult<CompletedEntry, undefined>> {
    if (this.#run !== undefined) return this.#run.take();
    if (!this.#startErrorPending) return Promise.resolve(endOfIteration());
    this.#startErrorPending = false;
    return Promise.reject(this.#startError);
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    this.#startErrorPending = false;
    if (this.#run !== undefined) return this.#run.leave();
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
export function asCompleted(
  tasks: unknown,
  options?: GatherOptions,
): AsyncIterableIterator<CompletedEntry> {
  try {
    return new CompletionIterator(startRun(AsCompletedRun, tasks, options), undefined);
  } catch (error) {
    return new CompletionIterator(undefined, error);
  }
}
