import { promiseAllBatch } from './batch';
import { startCall } from './call';
import { shapeOutput } from './collection';
import type { GatherOptions } from './option-types';
import type { GatherResult, GatherSettledResult } from './result-types';
import { GO_ON, REJECT, type Rules } from './rules';
import type { GatherInput, GatherTasks } from './types';

/**
 * `gather`: every task must fulfil; the first failure observed ends the call with
 * that very reason. Results are kept over the input values, which the call owns.
 */
const allRules: Rules<undefined> = {
  keepsEveryOutcome: false,
  batch: promiseAllBatch,
  defersPlainValues: false,
  resultRejects: false,
  fulfilled(kept, slot, value) {
    kept[slot] = value;
    return GO_ON;
  },
  rejected: () => REJECT,
  result: shapeOutput,
  settled: undefined,
};

/**
 * `gatherSettled`: every outcome is kept, as `Promise.allSettled` shapes it, and
 * none ends the call; on the caller's abort or the deadline the open slots read
 * the abort reason (test/gather-settled.test.ts, "on the deadline, resolves with partial results").
 */
const settledRules: Rules<undefined> = {
  keepsEveryOutcome: true,
  batch: undefined,
  defersPlainValues: false,
  resultRejects: false,
  fulfilled(kept, slot, value) {
    kept[slot] = { status: 'fulfilled', value };
    return GO_ON;
  },
  rejected(kept, slot, reason) {
    kept[slot] = { status: 'rejected', reason };
    return GO_ON;
  },
  result: shapeOutput,
  settled: undefined,
};

/**
 * Runs tasks concurrently and resolves with their results in input order — an
 * array, object or `Map` in, the same shape out — like `Promise.all`. When a task
 * fails, it rejects at once with that very reason and aborts the `AbortSignal` it
 * handed to every task function (an `"AbortError"` `DOMException` whose `cause` is
 * the failure), so work that is no longer needed stops.
 *
 * A task is a task function `(signal) => value | promise`, called at once with the
 * call's signal, or any other value (a promise, a thenable, a plain value), which
 * is only awaited. A keyed result has a `null` prototype (`String(result)` and
 * `result.hasOwnProperty` throw; use `Object.hasOwn`).
 *
 * @param tasks - An iterable (array, Set, generator…), a plain object, or a `Map`.
 * @param options - `signal` to cancel from outside, `timeout` in milliseconds,
 * `waitForCleanup` to settle only when no task function is still running,
 * `concurrency` or `limit` to bound how many run at once.
 * @returns The results in the input's shape; rejects with the first failure, the
 * caller's abort reason or a `"TimeoutError"`.
 *
 * @example
 * ```ts
 * const [user, orders] = await gather([
 *   (signal) => fetch('/api/user', { signal }).then((r) => r.json()),
 *   (signal) => fetch('/api/orders', { signal }).then((r) => r.json()),
 * ]);
 * ```
 */
export function gather<T extends GatherInput>(
  tasks: GatherTasks<T>,
  options?: GatherOptions,
): Promise<GatherResult<T>>;
export function gather(tasks: unknown, options?: GatherOptions): Promise<unknown> {
  return startCall(allRules, tasks, options);
}

/**
 * Runs tasks concurrently and resolves with every outcome, in the input's shape —
 * `{ status: 'fulfilled', value }` or `{ status: 'rejected', reason }` per slot, as
 * `Promise.allSettled` gives. A failure does not abort the siblings. On the
 * caller's abort or the `timeout`, the call's signal aborts, the slots still open
 * read the abort reason, and it resolves with the partial results.
 *
 * It rejects only when its arguments are invalid or its input cannot be read.
 *
 * @param tasks - An iterable (array, Set, generator…), a plain object, or a `Map`.
 * @param options - As for {@link gather}.
 *
 * @example
 * ```ts
 * const pages = await gatherSettled(urls.map((url) => (signal) => fetch(url, { signal })), {
 *   timeout: 2_000,
 * });
 * const loaded = pages.filter((page) => page.status === 'fulfilled');
 * ```
 */
export function gatherSettled<T extends GatherInput>(
  tasks: GatherTasks<T>,
  options?: GatherOptions,
): Promise<GatherSettledResult<T>>;
export function gatherSettled(tasks: unknown, options?: GatherOptions): Promise<unknown> {
  return startCall(settledRules, tasks, options);
}
