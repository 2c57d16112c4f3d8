import { AllRun } from './all-run';
import { FirstRun } from './first-run';
import type { Run } from './run';
import { SettledRun } from './settled-run';
import { type RunClass, startRun } from './start-run';
import type {
  FirstResult,
  GatherInput,
  GatherOptions,
  GatherResult,
  GatherSettledResult,
  GatherTasks,
} from './types';

/**
 * Every error, bad arguments included, becomes the returned promise's rejection:
 * the call never throws synchronously.
 */
function startCall(RunOfCall: RunClass<Run>, tasks: unknown, options: unknown): Promise<unknown> {
  try {
    return startRun(RunOfCall, tasks, options).promise;
  } catch (error) {
    return Promise.reject(error);
  }
}

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
  return startCall(AllRun, tasks, options);
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
  return startCall(SettledRun, tasks, options);
}

/**
 * Resolves with the value of the first task to *fulfil*, as `Promise.any`, and at
 * that moment aborts the others' signal with an `"AbortError"` — hedged requests
 * whose losers stop. A task function that returns a plain value has fulfilled when
 * it returns: it wins, and no later task function is called (a synchronous cache
 * hit keeps the remote fetch from starting).
 *
 * If every task rejects (or the input is empty), rejects with an `AggregateError`
 * whose `errors` hold one reason per task, in input order. On the caller's abort or
 * the `timeout` before any task has fulfilled, rejects with that reason. With
 * `concurrency`, the next task starts only when a running one fails: "try the next
 * mirror".
 *
 * @param tasks - An iterable (array, Set, generator…), a plain object, or a `Map`.
 * @param options - As for {@link gather}.
 *
 * @example
 * ```ts
 * const page = await first(
 *   mirrors.map((mirror) => (signal) => fetch(`${mirror}/file`, { signal }).then((r) => r.text())),
 *   { timeout: 5_000 },
 * );
 * ```
 */
export function first<T extends GatherInput>(
  tasks: GatherTasks<T>,
  options?: GatherOptions,
): Promise<FirstResult<T>>;
export function first(tasks: unknown, options?: GatherOptions): Promise<unknown> {
  return startCall(FirstRun, tasks, options);
}
