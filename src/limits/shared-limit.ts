import { fulfilledPromise, nativeThen } from '../promises';
import type { Run, StartPolicy } from '../run';
import type { Limiter } from '../types';

/**
 * `limit: fn`: a limiter shared by many calls — any function of `p-limit`'s shape.
 * Each task function is handed to it as a wrapper, synchronously and in input
 * order; its arguments and resolved value are ignored.
 */
export class SharedLimit implements StartPolicy {
  private readonly limit: Limiter;

  constructor(limit: Limiter) {
    this.limit = limit;
  }

  enqueue(run: Run, index: number): void {
    // Per task: the wrapper and the refusal handler share one closure context —
    // no object of our own beside what the limiter keeps.
    let called = false;
    let refused = false;
    // The limiter calls this when a place is free. Its promise holds the place until
    // the task settles — even after the call has settled, so the bound holds across
    // calls.
    const wrapper = (): Promise<void> => {
      called = true;
      // Queued when the call failed or was aborted: give the place back at once,
      // without calling the task function.
      if (run.ended || refused) return fulfilledPromise();
      // Fulfils once the task has settled and its outcome is recorded; a task that
      // settled as it returned gives the place back at once.
      const watched = run.startFunction(index, run.values[index]) as Promise<void> | undefined;
      return watched ?? fulfilledPromise();
    };
    // The limiter refused the task before running it (p-limit's `clearQueue` with
    // `rejectOnClear`, Bottleneck's `stop`): the task fails with that error, like a
    // task function that threw. A rejection after the wrapper ran is the limiter's
    // own affair, and is ignored.
    const refuse = (error: unknown): void => {
      if (called) return;
      refused = true;
      run.taskRejected(index, error);
    };
    let queued: PromiseLike<unknown>;
    try {
      queued = this.limit(wrapper);
    } catch (error) {
      refuse(error);
      return;
    }
    if (queued instanceof Promise) nativeThen.call(queued, undefined, refuse);
    else Promise.resolve(queued).then(undefined, refuse);
  }

  release(): void {}
}
