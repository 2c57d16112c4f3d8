import type { Collection } from './collection';
import { shapeOutput } from './collection';
import type { Settings } from './options';
import { listAsArray, type OwnList, ownList } from './own-list';
import { Run } from './run';

/** Marks a slot whose task function has been called and has not settled. */
const RUNNING_FUNCTION: unique symbol = Symbol('running task function');

/**
 * `gatherSettled`'s run: every outcome is recorded and no failure aborts the
 * siblings. On the caller's abort or the deadline, the slots still open read the
 * abort reason (with `waitForCleanup`, a running task function's slot waits for
 * its own outcome instead), and the run resolves with what it has.
 */
export class SettledRun extends Run {
  private readonly outcomes: OwnList<PromiseSettledResult<unknown> | undefined>;

  constructor(collection: Collection, settings: Settings) {
    super(collection, settings);
    this.outcomes = ownList(collection.values.length);
  }

  protected override functionStarting(index: number): void {
    this.values[index] = RUNNING_FUNCTION;
  }

  taskFulfilled(index: number, value: unknown): void {
    if (this.settled || this.outcomes[index] !== undefined) return;
    this.outcomes[index] = { status: 'fulfilled', value };
    if (!this.ended) this.slotsSettled();
  }

  taskRejected(index: number, reason: unknown): void {
    if (this.settled || this.outcomes[index] !== undefined) return;
    this.outcomes[index] = { status: 'rejected', reason };
    if (!this.ended) this.slotsSettled();
  }

  followAbort(reason: unknown): void {
    if (this.ended) return;
    const { outcomes, values, waitForCleanup } = this;
    // Fixed at the abort: a promise that settles later does not change its slot.
    for (let index = 0; index < outcomes.length; index++) {
      if (outcomes[index] !== undefined) continue;
      if (waitForCleanup && values[index] === RUNNING_FUNCTION) continue;
      outcomes[index] = { status: 'rejected', reason };
    }
    this.endByAbort(reason);
  }

  protected finish(): void {
    this.resolvePromise(shapeOutput(this.collection, listAsArray(this.outcomes)));
  }
}
