import type { LimiterHost, StartLimiter } from './limiter';

/**
 * `concurrency: n`: the call's own start window. At most `n` task functions run at
 * once, started in the order they began to wait; the place of one that settles is
 * taken by the next at once.
 *
 * Per task it does what a worker loop does: no queue of its own (the host keeps
 * what waits: a cursor over a run's slots, a group's queue), no promise, closure or
 * wrapper — a start is a plain call.
 */
export class Window<S> implements StartLimiter {
  readonly #width: number;
  readonly #host: LimiterHost<S>;
  /** Invariant: task functions started by this window and not yet released, ≤ `width`. */
  #active = 0;

  constructor(width: number, host: LimiterHost<S>) {
    this.#width = width;
    this.#host = host;
  }

  enqueue(): void {
    this.#fill();
  }

  release(): void {
    this.#active--;
    this.#fill();
  }

  /**
   * Starts waiting task functions while places are free. One that settles as it
   * returns gives its place back inside this loop, and the loop starts the next:
   * a million synchronous tasks at `concurrency: 1` take one turn and constant
   * stack (test/concurrency.test.ts, "runs a million synchronous task functions at
   * concurrency 1 within the call").
   * A task function that spawns as it starts (a `TaskGroup`) fills from inside the
   * call, in the same order, so a free place is taken before `spawn` returns.
   */
  #fill(): void {
    const host = this.#host;
    const width = this.#width;
    while (this.#active < width) {
      const waiting = host.next();
      if (waiting === undefined) return;
      // Counted before the call: a task function that spawns sees its place taken.
      this.#active++;
      if (host.start(waiting) === undefined) this.#active--;
    }
  }
}
