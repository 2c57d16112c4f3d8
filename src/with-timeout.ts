import { callSignalError, isCallSignal, rejectWithReason } from './call-signal';
import { describeValue } from './describe';
import { type CallLinks, linkCaller } from './links';
import { ownController } from './listener-cap';
import type { AbortSignalLike } from './option-types';
import { nativeThen } from './promises';
import type { AbortFollower } from './signal-link';

/**
 * Puts a deadline on one task that really stops it: the task gets a signal of its
 * own, which follows the signal the wrapped task is called with and aborts with a
 * `"TimeoutError"` `DOMException` when `ms` milliseconds have passed. The wrapped
 * task then rejects at once with that same error (the task's `signal.reason`).
 *
 * The time counts from the call of the returned function — when a limiter starts
 * the task, not when the gather started — so time queued behind a limit is not
 * counted. When the outer signal aborts first, the task's signal aborts with the
 * outer reason and the wrapped task rejects at once with it. Otherwise it settles
 * with the task's outcome, the same value or object. A task that ignores its signal
 * keeps running, as everywhere in p-gather, but is no longer waited for.
 *
 * Inside `gather`, a per-task timeout is that task's failure: the siblings are
 * aborted and the `TimeoutError` is the rejection. Inside `isolate` it is
 * contained, since the outer signal is not aborted. The timer is cleared as soon
 * as the wrapped task settles: it never keeps a process alive. One listener on the
 * outer signal serves every wrapped task linked to it.
 *
 * @param task - A task function, called once per call of the returned function
 *   with the task's own signal. (A promise cannot be given a signal: it is a type
 *   error and a `TypeError`.)
 * @param ms - Milliseconds, a number ≥ 0 (`0` cuts off a task not settled by a
 *   0 ms timer), or `Infinity` for no timer. Delays above 2³¹−1 ms are honoured.
 * @returns A task function `(signal?) => Promise<R>`. Called with something that
 *   is neither absent nor an `AbortSignal`, it rejects with a `TypeError`; called
 *   with an aborted signal, it rejects with `signal.reason` without calling `task`.
 * @throws TypeError - at once, when `task` is not a function or `ms` not a number.
 * @throws RangeError - at once, when `ms` is negative or `NaN`.
 *
 * @example
 * ```ts
 * const [user, feed] = await gather([
 *   withTimeout((signal) => fetchUser(signal), 2_000),
 *   (signal) => fetchFeed(signal),
 * ]);
 * ```
 */
export function withTimeout<R>(
  task: (signal: AbortSignal) => R,
  ms: number,
): (signal?: AbortSignal) => Promise<Awaited<R>> {
  if (typeof task !== 'function') {
    throw new TypeError(
      `Expected \`task\` to be a task function \`(signal) => …\`, got ${describeValue(task)}`,
    );
  }
  if (typeof ms !== 'number') {
    throw new TypeError(`Expected \`ms\` to be a number of milliseconds, got ${describeValue(ms)}`);
  }
  if (Number.isNaN(ms) || ms < 0) {
    throw new RangeError(
      `Expected \`ms\` to be a number of milliseconds ≥ 0 or \`Infinity\`, got ${describeValue(ms)}`,
    );
  }
  return (signal?: AbortSignal | null) => {
    if (!isCallSignal(signal)) return Promise.reject(callSignalError('withTimeout', signal));
    if (signal?.aborted) return rejectWithReason(signal);
    return new TimedCall(task, ms, signal ?? undefined).promise as Promise<Awaited<R>>;
  };
}

/**
 * One call of a `withTimeout` task: the task's controller, the link to the outer
 * signal, the timer, and a single settle-once path that every ending takes.
 */
class TimedCall implements AbortFollower {
  /** The task's own signal's controller; aborted only by the timer or the outer signal. */
  readonly #controller: AbortController;
  /** What the wrapped task returned: settled once, by the first of the task, the timer, the outer signal. */
  readonly promise: Promise<unknown>;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  /** The promise is settled; the link and the timer are gone. */
  #settled = false;
  /**
   * The outer signal and the timer, the same link a call keeps (links.ts: one
   * listener per signal, the timer re-armed past 2³¹−1 ms). Invariant: `undefined`
   * once settled.
   */
  #links: CallLinks | undefined;

  constructor(
    task: (signal: AbortSignal) => unknown,
    ms: number,
    outer: AbortSignalLike | undefined,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#controller = ownController();
    // Linked and armed before the task runs: a task that aborts the outer signal
    // while it starts still has its own signal follow.
    this.#links = linkCaller(this, { signal: outer, timeout: ms });
    let outcome: Promise<unknown>;
    try {
      outcome = Promise.resolve(task(this.#controller.signal));
    } catch (error) {
      this.#settle(error, true);
      return;
    }
    // Handlers even after the call has settled: a task cut off by its deadline
    // that rejects later is never reported unhandled.
    nativeThen.call(
      outcome,
      (value: unknown) => this.#settle(value, false),
      (error: unknown) => this.#settle(error, true),
    );
  }

  /** The timer fired (a `"TimeoutError"`) or the outer signal aborted. */
  followAbort(reason: unknown): void {
    if (this.#settled) return;
    this.#release();
    // Settled before the abort: the task's abort listeners may re-enter, and the
    // wrapper's outcome is already decided.
    this.#controller.abort(reason);
    this.#reject(reason);
  }

  #settle(outcome: unknown, failed: boolean): void {
    if (this.#settled) return;
    this.#release();
    if (failed) this.#reject(outcome);
    else this.#resolve(outcome);
  }

  #release(): void {
    this.#settled = true;
    this.#links?.release();
    this.#links = undefined;
  }
}
