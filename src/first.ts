import { startCall } from './call';
import type { GatherOptions } from './option-types';
import type { FirstResult } from './result-types';
import { GO_ON, RESOLVE, type Rules } from './rules';
import type { GatherInput, GatherTasks } from './types';

/** `AggregateError` where it exists; an `Error` with the same `errors` elsewhere. */
function allRejected(errors: unknown[]): Error {
  const message = 'All tasks were rejected';
  if (typeof AggregateError === 'function') return new AggregateError(errors, message);
  const error = new Error(message) as Error & { errors: unknown[] };
  error.name = 'AggregateError';
  error.errors = errors;
  return error;
}

/**
 * `first`: the first task to fulfil wins, as in `Promise.any`, and the others are
 * aborted with an "AbortError" whose `cause` is `undefined` — no failure caused it.
 * A failure is only kept; when every task has failed, the call rejects with an
 * `AggregateError` of their reasons in input order.
 */
const firstRules: Rules<undefined> = {
  keepsEveryOutcome: false,
  batch: undefined,
  defersPlainValues: true,
  resultRejects: true,
  fulfilled: () => RESOLVE,
  rejected(kept, slot, reason) {
    kept[slot] = reason;
    return GO_ON;
  },
  result: (kept) => allRejected(kept),
  settled: undefined,
};

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
  return startCall(firstRules, tasks, options);
}
