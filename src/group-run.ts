import { createAbortError } from './abort-errors';
import type { Collection } from './collection';
import type { Settings } from './options';
import { absorbRejection } from './promises';
import { Run } from './run';

/** Marks a slot whose task function has been called. */
const STARTED: unique symbol = Symbol('started task function');

let spawnedResolve: ((value: unknown) => void) | undefined;
let spawnedReject: ((reason: unknown) => void) | undefined;

/** A shared promise executor: no closure of ours per spawned task. */
function captureSettlers(
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  spawnedResolve = resolve;
  spawnedReject = reject;
}

/**
 * A `TaskGroup`'s run: a call whose tasks arrive one by one through {@link spawn}.
 * Each slot is counted while it is pending, and one more count is held until
 * `join()` is called, so the group can only complete once it is joined. The first
 * failure ends it, and it always waits for its started task functions before it
 * settles (`waitForCleanup` is always on).
 *
 * Each spawned task's promise settles with that task's own outcome — also after
 * the group ended — or, for a task never called, with the reason the group ended.
 */
export class GroupRun extends Run {
  /** Per slot: the spawned task's promise and how to settle it; cleared once settled. */
  private readonly spawned: (Promise<unknown> | undefined)[] = [];
  private readonly resolves: (((value: unknown) => void) | undefined)[] = [];
  private readonly rejects: (((reason: unknown) => void) | undefined)[] = [];
  private joined = false;
  /** The group ended by a failure, an abort or a crash; {@link reason} says why. */
  private stopped = false;
  private reason: unknown = undefined;
  /** The group was ended by `group.abort()`: its reason is already in the caller's hands. */
  abortedByGroup = false;

  constructor(collection: Collection, settings: Settings) {
    // A group always waits for its started task functions, whatever the options say.
    super(collection, { ...settings, waitForCleanup: true });
    // The join count: the group cannot complete before `join()` is called.
    this.remaining++;
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
    const promise = new Promise(captureSettlers);
    const resolve = spawnedResolve as (value: unknown) => void;
    const reject = spawnedReject as (reason: unknown) => void;
    if (this.ended) {
      // Calls nothing: the group has failed or been aborted.
      absorbRejection(promise);
      reject(this.reason);
      return promise;
    }
    const index = this.values.length;
    this.values.push(task);
    this.spawned.push(promise);
    this.resolves.push(resolve);
    this.rejects.push(reject);
    this.remaining++;
    if (this.policy === undefined) this.startFunction(index, task);
    else this.policy.enqueue(this, index);
    return promise;
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

  protected override functionStarting(index: number): void {
    this.values[index] = STARTED;
  }

  taskFulfilled(index: number, value: unknown): void {
    const resolve = this.resolves[index];
    this.forget(index);
    resolve?.(value);
    if (this.ended) return;
    this.slotsSettled();
    this.compactWhenIdle();
  }

  taskRejected(index: number, reason: unknown): void {
    const reject = this.rejects[index];
    const promise = this.spawned[index];
    this.forget(index);
    if (reject !== undefined) {
      // Nobody may be holding the spawned task's promise: never reported unhandled.
      absorbRejection(promise);
      reject(reason);
    }
    if (this.ended) return;
    this.stopped = true;
    this.reason = reason;
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
    this.end(() => groupReason);
  }

  /**
   * Called as the group ends, before it can settle: the tasks still queued under a
   * bound will never be called, so their promises reject with the group's reason
   * now — before `join()` does.
   */
  protected override holdForCleanup(): void {
    const { values, reason } = this;
    for (let index = 0; index < values.length; index++) {
      if (typeof values[index] === 'function') this.taskRejected(index, reason);
    }
  }

  protected override crashed(error: unknown): void {
    this.stopped = true;
    this.reason = error;
    absorbRejection(this.promise);
    this.rejectPromise(error);
  }

  protected finish(): void {
    // `join()` may never be called (`await using` disposes instead): never unhandled.
    absorbRejection(this.promise);
    if (this.stopped) this.rejectPromise(this.reason);
    else this.resolvePromise(undefined);
  }

  private forget(index: number): void {
    this.values[index] = undefined;
    this.spawned[index] = undefined;
    this.resolves[index] = undefined;
    this.rejects[index] = undefined;
  }

  /**
   * Nothing is pending and the group is not joined: the slots can be reused, so a
   * long-lived group that spawns millions of tasks over time holds no memory for
   * the settled ones.
   */
  private compactWhenIdle(): void {
    if (this.joined || this.remaining !== 1) return;
    this.values.length = 0;
    this.spawned.length = 0;
    this.resolves.length = 0;
    this.rejects.length = 0;
  }
}
