import { createAbortError } from './abort-errors';
import type { Collection } from './collection';
import type { Settings } from './options';
import { type OwnList, ownList } from './own-list';
import {
  absorbRejection,
  absorbRejections,
  inMicrotask,
  lastReject,
  lastResolve,
  nativeThen,
  pendingPromise,
} from './promises';
import { Run } from './run';

/** Marks a slot whose task function has been called. */
const STARTED: unique symbol = Symbol('started task function');

/**
 * A `TaskGroup`'s run: a call whose tasks arrive one by one through {@link spawn}.
 * Each slot is counted while it is pending, and one more count is held until
 * `join()` is called, so the group can only complete once it is joined. The first
 * failure ends it, and it always waits for its started task functions before it
 * settles.
 *
 * What `spawn` returns, cheapest first:
 * - a task function started at once returns a promise: the promise `then` derives
 *   from it *is* the spawned promise — one fulfil closure per task, one rejection
 *   handler per group;
 * - one that settled as it returned: an already-settled promise;
 * - one queued under a bound: a promise of its own, settled when the task settles,
 *   or rejected with the group's reason if the task is never called.
 *
 * Slots are recycled once settled, and dropped whenever nothing is pending, so a
 * long-lived group holds memory for its pending tasks (at most the most it has had
 * pending at once while busy), however many it has run.
 */
export class GroupRun extends Run {
  /** Per slot: the promise `spawn` returned, until its task settles. */
  private readonly spawned: OwnList<Promise<unknown> | undefined> = ownList();
  /** Per slot of a queued task: how to settle its promise. */
  private readonly resolves: OwnList<((value: unknown) => void) | undefined> = ownList();
  private readonly rejects: OwnList<((reason: unknown) => void) | undefined> = ownList();
  /** Settled slots, free for the next spawn. */
  private readonly freeSlots: OwnList<number> = ownList();
  private joined = false;
  /** The group ended by a failure, an abort or a crash; {@link reason} says why. */
  private stopped = false;
  private reason: unknown = undefined;
  /** The group was ended by `group.abort()`: its reason is already in the caller's hands. */
  abortedByGroup = false;
  /** `join()`'s promise has settled (a microtask after the group did). */
  joinSettled = false;
  /** The slot being started by `spawn`, and how it settled if it did as it returned. */
  private startingSlot = -1;
  private startingSettled = false;
  private startingFulfilled = false;
  private startingOutcome: unknown = undefined;
  private rejected: ((reason: unknown) => never) | undefined = undefined;

  constructor(collection: Collection, settings: Settings) {
    // A group always waits for its started task functions, whatever the options say.
    super(collection, { ...settings, waitForCleanup: true });
    // The join count: the group cannot complete before `join()` is called.
    this.remaining++;
    // Slots are added past the end of `values` as tasks are spawned: with no
    // prototype, those writes never reach an accessor on `Array.prototype` (see
    // own-list.ts). `values` is only ever indexed, never given to a builtin.
    Object.setPrototypeOf(this.values, null);
    // Made now, not on first use: a group aborted before its first spawn must
    // already show an aborted signal.
    this.callSignal();
  }

  get groupSignal(): AbortSignal {
    return this.callSignal();
  }

  /** `join()` was called and no spawned task is pending: `spawn` is refused. */
  get closed(): boolean {
    return this.joined && this.settled;
  }

  spawn(task: unknown): Promise<unknown> {
    if (this.ended) {
      // Calls nothing: the group has failed or been aborted.
      const refused = Promise.reject(this.reason);
      absorbRejection(refused);
      return refused;
    }
    const { freeSlots } = this;
    let slot = this.values.length;
    if (freeSlots.length > 0) {
      slot = freeSlots[freeSlots.length - 1] as number;
      freeSlots.length--;
    }
    this.values[slot] = task;
    this.remaining++;
    if (this.policy !== undefined) {
      const promise = pendingPromise();
      this.spawned[slot] = promise;
      this.resolves[slot] = lastResolve;
      this.rejects[slot] = lastReject;
      this.policy.enqueue(this, slot);
      return promise;
    }
    // A task function may spawn as it runs: keep the outer spawn's bookkeeping.
    const outerSlot = this.startingSlot;
    const outerSettled = this.startingSettled;
    this.startingSlot = slot;
    this.startingSettled = false;
    const watched = this.startFunction(slot, task) as Promise<unknown> | undefined;
    const settledAsReturned = this.startingSettled;
    const fulfilled = this.startingFulfilled;
    const outcome = this.startingOutcome;
    this.startingSlot = outerSlot;
    this.startingSettled = outerSettled;
    this.startingOutcome = undefined;
    if (!settledAsReturned) {
      this.spawned[slot] = watched;
      // The group ended while this task function ran (a task it spawned failed, it
      // aborted the group): the pass that absorbs pending spawned promises missed it.
      if (this.ended) absorbRejection(watched);
      return watched as Promise<unknown>;
    }
    if (fulfilled) return Promise.resolve(outcome);
    const failed = Promise.reject(outcome);
    absorbRejection(failed);
    return failed;
  }

  join(): Promise<unknown> {
    if (!this.joined) {
      this.joined = true;
      if (!this.ended) this.slotsSettled();
    }
    return this.promise;
  }

  /** `group.abort(reason)`: a no-op once the group has ended (failed, aborted or closed). */
  abortGroup(reason: unknown): void {
    if (this.ended) return;
    this.abortedByGroup = true;
    this.followAbort(reason);
  }

  protected override functionStarting(slot: number): void {
    this.values[slot] = STARTED;
  }

  /**
   * A task started at once: its derived promise is the spawned promise, so the
   * fulfil reaction hands the value on and the rejection reaction throws the
   * reason on. A queued task's promise is settled by {@link taskFulfilled} /
   * {@link taskRejected} instead, through the default per-slot watch.
   */
  protected override watch(promise: unknown, slot: number, fromFunction: boolean): unknown {
    if (this.policy !== undefined) return super.watch(promise, slot, fromFunction);
    this.rejected ??= (reason) => {
      this.functionSettled(-1, false, reason);
      throw reason;
    };
    return nativeThen.call(
      promise,
      (value) => {
        this.functionSettled(slot, true, value);
        return value;
      },
      this.rejected,
    );
  }

  taskFulfilled(slot: number, value: unknown): void {
    if (slot === this.startingSlot) this.settledAsReturned(true, value);
    const resolve = this.resolves[slot];
    if (resolve !== undefined) resolve(value);
    this.freeSlot(slot);
    if (this.ended) return;
    this.slotsSettled();
    if (this.remaining === 1 && !this.joined) this.forgetSlots();
  }

  /** `slot` is -1 for a task started at once that rejected: its slot is never reused. */
  taskRejected(slot: number, reason: unknown): void {
    if (slot >= 0) {
      if (slot === this.startingSlot) this.settledAsReturned(false, reason);
      const reject = this.rejects[slot];
      if (reject !== undefined) {
        // Nobody may be holding the spawned task's promise: never reported unhandled.
        absorbRejection(this.spawned[slot]);
        reject(reason);
      }
      this.freeSlot(slot);
    }
    if (this.ended) return;
    this.stopped = true;
    this.reason = reason;
    this.absorbPendingSpawned();
    this.endWithFailure(reason);
  }

  /** The caller's signal, the deadline or `group.abort(reason)`. */
  followAbort(reason: unknown): void {
    if (this.ended) return;
    // As `AbortController.abort(undefined)`: no reason means the signal's own
    // `"AbortError"`, and `join()` rejects with that same object.
    const groupReason = reason === undefined ? createAbortError(undefined) : reason;
    this.stopped = true;
    this.reason = groupReason;
    this.absorbPendingSpawned();
    this.end(() => groupReason);
  }

  /**
   * Called as the group ends, before it can settle: the tasks still queued under a
   * bound will never be called, so their promises reject with the group's reason
   * now — before `join()` does.
   */
  protected override holdForCleanup(): void {
    const { values, reason } = this;
    for (let slot = 0; slot < values.length; slot++) {
      if (typeof values[slot] === 'function') this.taskRejected(slot, reason);
    }
  }

  protected override crashed(error: unknown): void {
    this.stopped = true;
    this.reason = error;
    absorbRejection(this.promise);
    this.joinSettled = true;
    this.rejectPromise(error);
  }

  /**
   * Settles `join()`'s promise one microtask after the last task's outcome, so
   * that the reactions of the spawned promises (settled in that same turn, after
   * the group saw the outcome) run before the code awaiting `join()`.
   */
  protected finish(): void {
    // `join()` may never be called (`await using` disposes instead): never unhandled.
    absorbRejection(this.promise);
    inMicrotask(() => {
      this.joinSettled = true;
      if (this.stopped) this.rejectPromise(this.reason);
      else this.resolvePromise(undefined);
    });
  }

  /**
   * The group has just ended: every spawned promise still pending may reject from
   * now on (with its own task's failure or the group's reason), and none may be
   * reported unhandled — the one failing now included.
   */
  private absorbPendingSpawned(): void {
    absorbRejections(this.spawned, 0);
  }

  private settledAsReturned(fulfilled: boolean, outcome: unknown): void {
    this.startingSettled = true;
    this.startingFulfilled = fulfilled;
    this.startingOutcome = outcome;
  }

  private freeSlot(slot: number): void {
    this.values[slot] = undefined;
    this.spawned[slot] = undefined;
    if (this.policy !== undefined) {
      this.resolves[slot] = undefined;
      this.rejects[slot] = undefined;
    }
    if (!this.ended) this.freeSlots[this.freeSlots.length] = slot;
  }

  /**
   * Nothing is pending (only the join count is left): every slot is free, so the
   * bookkeeping is dropped — a group that was once busy does not keep its peak size.
   */
  private forgetSlots(): void {
    this.values.length = 0;
    this.spawned.length = 0;
    this.resolves.length = 0;
    this.rejects.length = 0;
    this.freeSlots.length = 0;
  }
}
