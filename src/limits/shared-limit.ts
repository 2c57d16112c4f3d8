import type { Run, StartPolicy } from '../run';
import type { Limiter } from '../types';

let fulfilled: Promise<void> | undefined;

/** One shared fulfilled promise, made on first use rather than at module load. */
function settledAlready(): Promise<void> {
  fulfilled ??= Promise.resolve();
  return fulfilled;
}

/**
 * One task function handed to a shared limiter. The limiter calls {@link wrapper}
 * when a place is free; the wrapper's promise holds that place until the task
 * settles — even after its call has settled, so the bound holds across calls.
 */
class LimitedTask {
  private readonly run: Run;
  private readonly index: number;
  private called = false;
  private failedBeforeStart = false;

  constructor(run: Run, index: number) {
    this.run = run;
    this.index = index;
  }

  readonly wrapper = (): Promise<void> => {
    this.called = true;
    // Queued behind the limit when the call failed or was aborted: give the place
    // back at once, without calling the task function.
    if (this.run.ended || this.failedBeforeStart) return settledAlready();
    // Fulfils once the task has settled and its outcome is recorded: the place is
    // held until then. A task that settled as it returned gives it back at once.
    const watched = this.run.startFunction(this.index, this.run.values[this.index]);
    return (watched as Promise<void> | undefined) ?? settledAlready();
  };

  /**
   * The limiter refused the task before running it (p-limit's `clearQueue` with
   * `rejectOnClear`, Bottleneck's `stop`): the task fails with that error. A
   * rejection after the wrapper ran is the limiter's own affair, and is ignored.
   */
  readonly limiterRejected = (error: unknown): void => {
    if (this.called) return;
    this.failedBeforeStart = true;
    // A task function that never started fails like one that threw.
    this.run.taskRejected(this.index, error);
  };
}

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
    const task = new LimitedTask(run, index);
    let queued: PromiseLike<unknown>;
    try {
      queued = this.limit(task.wrapper);
    } catch (error) {
      task.limiterRejected(error);
      return;
    }
    Promise.resolve(queued).then(undefined, task.limiterRejected);
  }

  release(): void {}
}
