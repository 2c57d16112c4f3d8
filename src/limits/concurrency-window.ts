import { type OwnList, ownList } from '../own-list';
import type { Run, StartPolicy } from '../run';

/**
 * `concurrency: n`: the call's own start window. At most `n` task functions of
 * the call run at once, started in input order; a slot is handed on the moment a
 * task settles.
 *
 * Why a queue of indices and not a p-limit: no promise, closure or wrapper per
 * task — the start is a plain call from {@link drain}.
 */
export class ConcurrencyWindow implements StartPolicy {
  private readonly limit: number;
  private readonly queue: OwnList<number> = ownList();
  private head = 0;
  private active = 0;
  /** A drain is on the stack: a slot freed inside it is taken by its loop. */
  private draining = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  enqueue(run: Run, index: number): void {
    if (this.draining && this.head === this.queue.length && this.active < this.limit) {
      // A task function that spawns as it is being started (a `TaskGroup`): a slot is
      // free and nothing waits ahead, so the new task starts now, before `spawn`
      // returns — as it would with no bound.
      this.active++;
      run.startFunction(index, run.values[index]);
      return;
    }
    this.queue[this.queue.length] = index;
    this.drain(run);
  }

  release(run: Run): void {
    this.active--;
    this.drain(run);
  }

  /**
   * Starts queued task functions while slots are free. A task function that
   * settles when it returns frees its slot inside this loop, and the loop starts
   * the next: a million synchronous tasks at `concurrency: 1` take one turn and
   * constant stack, never recursion.
   */
  private drain(run: Run): void {
    if (this.draining) return;
    this.draining = true;
    const queue = this.queue;
    const values = run.values;
    while (!run.ended && this.active < this.limit && this.head < queue.length) {
      const index = queue[this.head++] as number;
      this.active++;
      run.startFunction(index, values[index]);
    }
    if (this.head === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= queue.length) {
      // A long-lived group whose queue never empties: drop the taken half, so the
      // queue holds only what waits (amortised O(1) per task).
      const { head } = this;
      const waiting = queue.length - head;
      for (let k = 0; k < waiting; k++) queue[k] = queue[head + k] as number;
      queue.length = waiting;
      this.head = 0;
    }
    this.draining = false;
  }
}
