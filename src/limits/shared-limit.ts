import type { Limiter as LimitFunction } from '../option-types';
import { fulfilledPromise, nativeThen } from '../promises';
import type { LimiterHost, StartLimiter } from './limiter';

/**
 * `limit: fn`: a limiter shared by many calls — any function of `p-limit`'s shape.
 * Each waiting task function is handed to it as a wrapper, synchronously and in
 * order; the arguments it passes and the value it resolves with are ignored.
 */
export class SharedLimit<S> implements StartLimiter {
  readonly #limit: LimitFunction;
  readonly #host: LimiterHost<S>;

  constructor(limit: LimitFunction, host: LimiterHost<S>) {
    this.#limit = limit;
    this.#host = host;
  }

  enqueue(): void {
    for (let waiting = this.#host.next(); waiting !== undefined; waiting = this.#host.next()) {
      this.#hand(waiting);
    }
  }

  #hand(waiting: S): void {
    const host = this.#host;
    // Per task: the wrapper and the refusal handler share one closure context.
    let called = false;
    let refused = false;
    // The limiter calls this when a place is free. Its promise holds the place until
    // the task settles — even after the call has settled, so the bound holds across
    // calls (test/shared-limit.test.ts, "holds its place after its call has rejected").
    // Called after the host ended, it gives the place back at once.
    const wrapper = (): Promise<void> => {
      called = true;
      if (refused) return fulfilledPromise();
      const promise = host.call(waiting);
      return promise === undefined ? fulfilledPromise() : this.#hold(waiting, promise);
    };
    // Refused before it ran (p-limit's `clearQueue` with `rejectOnClear`,
    // Bottleneck's `stop`): the task fails with that error. A rejection after the
    // wrapper ran is the limiter's own affair, and is ignored.
    const refuse = (error: unknown): void => {
      if (called) return;
      refused = true;
      host.refuse(waiting, error);
    };
    let queued: PromiseLike<unknown>;
    try {
      queued = this.#limit(wrapper);
    } catch (error) {
      refuse(error);
      return;
    }
    if (queued instanceof Promise) nativeThen.call(queued, undefined, refuse);
    else Promise.resolve(queued).then(undefined, refuse);
  }

  /** Awaits a started task for the limiter: its place is held until the outcome is recorded. */
  async #hold(waiting: S, promise: Promise<unknown>): Promise<void> {
    let fulfilled = true;
    let outcome: unknown;
    try {
      outcome = await promise;
    } catch (reason) {
      fulfilled = false;
      outcome = reason;
    }
    this.#host.settled(waiting, fulfilled, outcome);
  }
}
