import type { LimiterHost, StartLimiter } from './limiter';

/**
 * `concurrency: n`: the call's own start window. At most `n` task functions run at
 * once, started in the order they began to wait; the place of one that settles is
 * taken by the next at once.
 *
 * Per task it does what a worker of a worker loop does: each place is a lane that
 * awaits its task, hands the outcome to the host and calls the next waiting task
 * function itself — no queue of its own (the host keeps what waits: a cursor over
 * a run's slots, a group's queue), and no promise, closure or wrapper per task.
 */
export class Window<S> implements StartLimiter {
  readonly #width: number;
  readonly #host: LimiterHost<S>;
  /** Invariant: places taken — task functions being called, or lanes awaiting one — ≤ `width`. */
  #active = 0;

  constructor(width: number, host: LimiterHost<S>) {
    this.#width = width;
    this.#host = host;
  }

  /**
   * Starts waiting task functions while places are free. One that settles as it
   * returns gives its place back inside this loop, and the loop starts the next:
   * a million synchronous tasks at `concurrency: 1` take one turn and constant
   * stack (test/concurrency.test.ts, "runs a million synchronous task functions at
   * concurrency 1 within the call").
   * A task function that spawns as it starts (a `TaskGroup`) comes back here from
   * inside the call, in the same order, so a free place is taken before `spawn` returns.
   */
  enqueue(): void {
    const host = this.#host;
    while (this.#active < this.#width) {
      const waiting = host.next();
      if (waiting === undefined) return;
      // Counted before the call: a task function that spawns sees its place taken.
      this.#active++;
      const promise = host.call(waiting);
      if (promise === undefined) this.#active--;
      else void this.#lane(waiting, promise);
    }
  }

  /**
   * One place, from a task function that returned a promise until no task
   * function waits: the place is handed from task to task inside this loop,
   * which is all a start costs.
   */
  async #lane(first: S, promise: Promise<unknown>): Promise<void> {
    const host = this.#host;
    let waiting = first;
    let pending: Promise<unknown> | undefined = promise;
    for (;;) {
      let fulfilled = true;
      let outcome: unknown;
      try {
        outcome = await pending;
      } catch (reason) {
        fulfilled = false;
        outcome = reason;
      }
      host.settled(waiting, fulfilled, outcome);
      do {
        const next = host.next();
        if (next === undefined) {
          this.#active--;
          return;
        }
        waiting = next;
        pending = host.call(waiting);
      } while (pending === undefined);
    }
  }
}
