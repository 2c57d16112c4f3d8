import { backoff } from './backoff';
import { callSignalError, isCallSignal, rejectWithReason } from './call-signal';
import { describeValue } from './describe';
import { ownController } from './listener-cap';
import type { AbortSignalLike } from './option-types';
import { nativeThen } from './promises';
import { wait } from './wait';
import type { RetryOptions } from './wrapper-types';

/**
 * At most 4 attempts by default. Why not p-retry's 10: a wrapped task runs inside a
 * gather whose other tasks wait for it, so a dependency that is down should fail
 * the call in about a second (125–250, 250–500, 500–1000 ms of waits), not after
 * minutes. Three retries ride out a blip — a dropped connection, a failover, a
 * restart; what lasts longer is better served by a deadline and a fallback.
 */
const DEFAULT_RETRIES = 3;

/** The options one `retry()` was given, checked once when it wrapped. */
interface RetryPlan {
  readonly retries: number;
  readonly delay: number | ((attempt: number, error: unknown) => number) | undefined;
  readonly shouldRetry: RetryOptions['shouldRetry'];
  readonly onRetry: RetryOptions['onRetry'];
  /** The callbacks are called as its methods, so a method keeps its `this`. */
  readonly options: RetryOptions | undefined;
}

/**
 * Tries a task again when it fails, waiting between attempts, and never retries
 * cancellation. Each attempt calls `task` afresh with the same signal (the one the
 * wrapped task is called with; called without one, a signal of its own that never
 * aborts). After `retries + 1` failed attempts it rejects with the last failure,
 * the same object.
 *
 * After attempt `n` fails: `shouldRetry(error, n)` is awaited (not asked about the
 * last allowed failure), then `onRetry(error, n)` is awaited, then `delay` gives the
 * wait, then one timer waits. Once the signal has aborted, no attempt starts, a wait
 * in progress ends at once, and the wrapped task rejects with `signal.reason` — also
 * when a failure is seen while the signal is aborted: that is cancellation, not a
 * failure to retry. An attempt in progress is the task's to stop (it has the
 * signal); wrap the task in {@link withTimeout} to stop waiting for it at once.
 *
 * Composition reads as it runs: `retry(withTimeout(task, 1_000))` gives every
 * attempt its own second; `withTimeout(retry(task), 5_000)` bounds all attempts and
 * waits together.
 *
 * @param task - A task function, called once per attempt. (A promise cannot be run
 *   again: it is a type error and a `TypeError`.)
 * @param options - `retries` (default 3), `delay` (default {@link backoff}),
 *   `shouldRetry`, `onRetry`: see {@link RetryOptions}.
 * @returns A task function `(signal?) => Promise<R>`. Called with something that
 *   is neither absent nor an `AbortSignal`, it rejects with a `TypeError`; called
 *   with an aborted signal, it rejects with `signal.reason` without calling `task`.
 *   A callback that throws or rejects rejects it with that error, and a `delay`
 *   function that returns anything but a number ≥ 0 with a `RangeError`.
 * @throws TypeError - at once, when `task` or a callback is not a function,
 *   `options` is not an object, or `retries` or `delay` is of the wrong type.
 * @throws RangeError - at once, when `retries` is not an integer ≥ 0 nor
 *   `Infinity`, or `delay` is a number below 0 or `NaN`.
 *
 * @example
 * ```ts
 * const [user, feed] = await gather([
 *   retry((signal) => fetchUser(signal), { retries: 2 }),
 *   isolate(retry(withTimeout((signal) => fetchFeed(signal), 2_000)), { fallback: [] }),
 * ]);
 * ```
 */
export function retry<R>(
  task: (signal: AbortSignal) => R,
  options?: RetryOptions,
): (signal?: AbortSignal) => Promise<Awaited<R>> {
  if (typeof task !== 'function') {
    throw new TypeError(
      `Expected \`task\` to be a task function \`(signal) => …\`, got ${describeValue(task)}`,
    );
  }
  // No options, the common case: one plan shared by every wrapper, so wrapping
  // inline (`ids.map((id) => retry(…))`) costs one closure per task.
  const plan = options === undefined ? defaultPlan : readPlan(options);
  return (signal?: AbortSignal | null) => {
    if (!isCallSignal(signal)) return Promise.reject(callSignalError('retry', signal));
    let attemptSignal: AbortSignalLike;
    if (signal === undefined || signal === null) {
      attemptSignal = ownController().signal;
    } else {
      if (signal.aborted) return rejectWithReason(signal);
      attemptSignal = signal;
    }
    // The path taken when nothing fails is one call and one `.then`: everything
    // about retrying is in `retryAfter`, reached only on a failure.
    let first: Promise<unknown>;
    try {
      first = Promise.resolve(task(attemptSignal as AbortSignal));
    } catch (error) {
      return retryAfter(task, plan, attemptSignal, error) as Promise<Awaited<R>>;
    }
    // Why a bound function and not an arrow `(error) => retryAfter(…)`: the arrow
    // is a closure plus a context for `attemptSignal`, made on every call and kept
    // until the attempt settles; with 1e5 tasks in flight, the collector copying
    // them was most of what retry cost over a bare `.then` (issue 14). A bound
    // function holds the same three values in fewer bytes.
    return nativeThen.call(
      first,
      undefined,
      afterFirstFailure.bind(undefined, task, plan, attemptSignal),
    ) as Promise<Awaited<R>>;
  };
}

/**
 * The first attempt's rejection handler, bound to one call's task, plan and signal.
 * Why not `retryAfter.bind`: on Node 20, binding the async function measured
 * slower than the closure it replaces; binding this plain function does not.
 */
function afterFirstFailure(
  task: (signal: AbortSignal) => unknown,
  plan: RetryPlan,
  signal: AbortSignalLike,
  failure: unknown,
): Promise<unknown> {
  return retryAfter(task, plan, signal, failure);
}

/** Everything that follows the failure of the first attempt, to the end. */
async function retryAfter(
  task: (signal: AbortSignal) => unknown,
  plan: RetryPlan,
  signal: AbortSignalLike,
  failure: unknown,
): Promise<unknown> {
  let error = failure;
  for (let attempt = 1; ; attempt++) {
    // A failure seen while the signal is aborted is the cancellation showing
    // through (a fetch rejecting with its AbortError), never a reason to retry:
    //   gather([retry((signal) => fetch(url, { signal })), () => fail()])
    // must not fetch again after its sibling failed.
    if (signal.aborted) throw signal.reason;
    if (attempt > plan.retries) throw error;
    if (plan.shouldRetry !== undefined) {
      const again = await plan.shouldRetry.call(plan.options, error, attempt);
      if (signal.aborted) throw signal.reason;
      if (!again) throw error;
    }
    if (plan.onRetry !== undefined) {
      await plan.onRetry.call(plan.options, error, attempt);
      if (signal.aborted) throw signal.reason;
    }
    await wait(delayAfter(plan, attempt, error), signal);
    // The wait's end and this line are turns apart: the signal may have aborted.
    if (signal.aborted) throw signal.reason;
    try {
      return await task(signal as AbortSignal);
    } catch (next) {
      error = next;
    }
  }
}

function delayAfter(plan: RetryPlan, attempt: number, error: unknown): number {
  const { delay } = plan;
  if (delay === undefined) return backoff(attempt);
  if (typeof delay === 'number') return delay;
  const milliseconds: unknown = delay.call(plan.options, attempt, error);
  if (typeof milliseconds !== 'number' || Number.isNaN(milliseconds) || milliseconds < 0) {
    throw new RangeError(
      `Expected \`delay\` to return a number of milliseconds ≥ 0 or \`Infinity\` after attempt ${attempt}, got ${describeValue(milliseconds)}`,
    );
  }
  return milliseconds;
}

const defaultPlan: RetryPlan = {
  retries: DEFAULT_RETRIES,
  delay: undefined,
  shouldRetry: undefined,
  onRetry: undefined,
  options: undefined,
};

/** Checks `retry`'s options (after `task`), in order: `options`, then each option. */
function readPlan(options: RetryOptions): RetryPlan {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const retries: unknown = options.retries;
  if (retries !== undefined) {
    if (typeof retries !== 'number') {
      throw new TypeError(`Expected \`retries\` to be a number, got ${describeValue(retries)}`);
    }
    if (!(retries === Infinity || (Number.isInteger(retries) && retries >= 0))) {
      throw new RangeError(
        `Expected \`retries\` to be an integer from 0 and up or \`Infinity\`, got ${describeValue(retries)}`,
      );
    }
  }
  const delay: unknown = options.delay;
  if (delay !== undefined && typeof delay !== 'function') {
    if (typeof delay !== 'number') {
      throw new TypeError(
        `Expected \`delay\` to be a number of milliseconds or a function \`(attempt, error) => milliseconds\`, got ${describeValue(delay)}`,
      );
    }
    if (Number.isNaN(delay) || delay < 0) {
      throw new RangeError(
        `Expected \`delay\` to be a number of milliseconds ≥ 0 or \`Infinity\`, got ${describeValue(delay)}`,
      );
    }
  }
  const shouldRetry: unknown = options.shouldRetry;
  if (shouldRetry !== undefined && typeof shouldRetry !== 'function') {
    throw new TypeError(
      `Expected \`shouldRetry\` to be a function, got ${describeValue(shouldRetry)}`,
    );
  }
  const onRetry: unknown = options.onRetry;
  if (onRetry !== undefined && typeof onRetry !== 'function') {
    throw new TypeError(`Expected \`onRetry\` to be a function, got ${describeValue(onRetry)}`);
  }
  return {
    retries: (retries as number | undefined) ?? DEFAULT_RETRIES,
    delay: delay as RetryPlan['delay'],
    shouldRetry: shouldRetry as RetryPlan['shouldRetry'],
    onRetry: onRetry as RetryPlan['onRetry'],
    options,
  };
}
