import { createAbortError } from './abort-errors';
import type { Collection } from './collection';
import { armDeadline, clearDeadline, type DeadlineHolder } from './deadline';
import { liftListenerCap } from './listener-cap';
import type { Settings } from './options';
import { absorbRejections, adoptThenable, nativeThen, type Then } from './promises';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';

/**
 * Decides *when* a task function starts. Absent, every task function starts at
 * once, during the call; the concurrency layer supplies one to queue them.
 */
export interface StartPolicy {
  /** The task function at `index` is next in input order: start it now or later. */
  enqueue(run: Run, index: number): void;
  /** A task function that `run` started has settled: its slot is free. */
  release(run: Run): void;
}

/**
 * The state of one call and its single settle-once path. A subclass says what an
 * outcome means (`gather` fails fast, `gatherSettled` records it) and what the call
 * resolves with; this class starts tasks, watches them, follows the caller's signal
 * and the deadline, and settles once.
 *
 * Lifecycle: *running* → *ended* (complete, failed or aborted: nothing more starts,
 * the caller's link and the timer are released, the tasks' signal is aborted) →
 * *settled* (the returned promise is settled; with `waitForCleanup`, only once no
 * started task function is still running).
 */
export abstract class Run implements AbortFollower, DeadlineHolder {
  /** The input values, in order; a subclass may write outcomes over them. */
  readonly values: unknown[];
  readonly collection: Collection;
  readonly promise: Promise<unknown>;
  /** Slots not yet settled, plus one while the start loop runs. */
  protected remaining: number;
  /** Nothing starts any more; later outcomes no longer change the result. */
  ended = false;
  /** The returned promise is settled. */
  protected settled = false;
  /** Task functions started and not yet settled, as far as this class watches them. */
  runningFunctions = 0;
  /** Other reasons to wait before settling with `waitForCleanup` (see {@link holdForCleanup}). */
  private cleanupHolds = 0;
  /** The start loop has run to its end: every task is started, queued or awaited. */
  protected startLoopDone = false;
  policy: StartPolicy | undefined = undefined;
  deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  deadlineRemaining = 0;

  protected readonly waitForCleanup: boolean;
  private controller: AbortController | undefined = undefined;
  private signal: AbortSignal | undefined = undefined;
  private callerLink: SignalFollowers | undefined = undefined;
  protected resolvePromise!: (value: unknown) => void;
  protected rejectPromise!: (reason: unknown) => void;

  constructor(collection: Collection, settings: Settings) {
    this.collection = collection;
    this.values = collection.values;
    this.remaining = collection.values.length + 1;
    this.waitForCleanup = settings.waitForCleanup;
    this.promise = new Promise((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
  }

  /** A task settled with a value. */
  abstract taskFulfilled(index: number, value: unknown): void;
  /** A task rejected, or its function threw. */
  abstract taskRejected(index: number, reason: unknown): void;
  /** The caller's signal aborted or the deadline passed, with `reason`. */
  abstract followAbort(reason: unknown): void;
  /** Settles the returned promise: the run has ended and cleanup is done. */
  protected abstract finish(): void;

  /**
   * Links the caller's signal, arms the deadline, then starts the tasks — in that
   * order, so a task that aborts the caller's signal synchronously stops the rest.
   */
  begin(settings: Settings): void {
    const { signal, timeout } = settings;
    if (signal !== undefined) {
      if (signal.aborted) {
        absorbRejections(this.values, 0);
        // Nothing will start: the loop is as good as done, so cleanup waits for nothing.
        this.startLoopDone = true;
        this.followAbort(signal.reason);
        return;
      }
      this.callerLink = linkSignal(signal, this);
    }
    if (timeout !== Number.POSITIVE_INFINITY) armDeadline(this, timeout);
    const { values, policy } = this;
    for (let index = 0; index < values.length; index++) {
      if (this.ended) {
        // Promises read but never awaited must not be reported unhandled; lazy
        // thenables after this point are never started.
        absorbRejections(values, index);
        break;
      }
      const task = values[index];
      if (typeof task !== 'function') this.awaitTask(index, task);
      else if (policy === undefined) this.startFunction(index, task);
      else policy.enqueue(this, index);
    }
    this.startLoopDone = true;
    this.afterStartLoop();
    if (--this.remaining === 0) this.complete();
  }

  /** Called once the start loop is over, ended or not, before the loop's own count is dropped. */
  protected afterStartLoop(): void {}

  /**
   * Calls the task function at `index` with the call's signal and watches what it
   * returns. Returns a promise that settles once the task has settled and its
   * outcome is recorded, or `undefined` when it settled as it returned — what a
   * shared limiter's wrapper holds its place with.
   */
  startFunction(index: number, task: unknown): unknown {
    // Read inline: this runs once per task.
    const signal = this.signal ?? this.callSignal();
    this.runningFunctions++;
    this.functionStarting(index);
    let result: unknown;
    try {
      result = (task as (signal: AbortSignal) => unknown)(signal);
    } catch (error) {
      this.functionSettled(index, false, error);
      return undefined;
    }
    if ((typeof result === 'object' && result !== null) || typeof result === 'function') {
      let then: unknown;
      try {
        then = (result as { then?: unknown }).then;
      } catch (error) {
        this.functionSettled(index, false, error);
        return undefined;
      }
      if (typeof then === 'function') {
        const promise = then === nativeThen ? result : adoptThenable(result, then as Then);
        try {
          return this.watch(promise, index, true);
        } catch (error) {
          // `Promise.prototype.then` borrowed by an object that is not a promise.
          this.functionSettled(index, false, error);
          return undefined;
        }
      }
    }
    // Settled when it returned: no promise is made for a plain value.
    this.functionSettled(index, true, result);
    return undefined;
  }

  /**
   * Called just before the task function at `index` is called: from then on it is
   * running — also while it is still on the stack, where it may abort the caller's
   * signal itself.
   */
  protected functionStarting(_index: number): void {}

  /**
   * Attaches the run's reactions to a native `promise` for the slot at `index`,
   * and returns the promise `then` derives. This one makes a pair of closures per
   * task, each knowing its slot; a fail-fast run overrides it to make fewer.
   */
  protected watch(promise: unknown, index: number, fromFunction: boolean): unknown {
    return fromFunction
      ? nativeThen.call(
          promise,
          (value) => this.functionSettled(index, true, value),
          (reason) => this.functionSettled(index, false, reason),
        )
      : nativeThen.call(
          promise,
          (value) => this.taskFulfilled(index, value),
          (reason) => this.taskRejected(index, reason),
        );
  }

  /**
   * A slot holds a plain value (not a function, not a thenable): by default it is
   * fulfilled as the start loop reads it — no promise is made for it.
   */
  protected valueRead(index: number, value: unknown): void {
    this.taskFulfilled(index, value);
  }

  private awaitTask(index: number, task: unknown): void {
    if (typeof task !== 'object' || task === null) {
      this.valueRead(index, task);
      return;
    }
    let then: unknown;
    try {
      then = (task as { then?: unknown }).then;
    } catch (error) {
      this.taskRejected(index, error);
      return;
    }
    if (typeof then !== 'function') {
      this.valueRead(index, task);
      return;
    }
    try {
      this.watch(then === nativeThen ? task : adoptThenable(task, then as Then), index, false);
    } catch (error) {
      this.taskRejected(index, error);
    }
  }

  /**
   * A started task function settled. The outcome is recorded first (a failure
   * ends the run), then the slot is handed on — so nothing starts after a failure.
   */
  protected functionSettled(index: number, fulfilled: boolean, outcome: unknown): void {
    this.runningFunctions--;
    if (fulfilled) this.taskFulfilled(index, outcome);
    else this.taskRejected(index, outcome);
    this.policy?.release(this);
    if (this.ended && this.nothingRunning()) this.settle();
  }

  private nothingRunning(): boolean {
    return this.runningFunctions === 0 && this.cleanupHolds === 0;
  }

  /**
   * With `waitForCleanup`, called when the run ends: a subclass that watches some
   * task functions by other means than {@link functionSettled} takes holds here
   * ({@link takeCleanupHold}) and releases them when those have settled.
   */
  protected holdForCleanup(): void {}

  protected takeCleanupHold(): void {
    this.cleanupHolds++;
  }

  protected releaseCleanupHold(): void {
    this.cleanupHolds--;
    if (this.ended && this.nothingRunning()) this.settle();
  }

  /**
   * Rejects the call with `error` from a place no task owns — a caller's
   * signal-like object whose `addEventListener` or `reason` throws — so that
   * `gather` still never throws synchronously. The tasks' signal is aborted too.
   */
  crash(error: unknown): void {
    absorbRejections(this.values, 0);
    if (this.settled) return;
    this.ended = true;
    this.settled = true;
    this.releaseLinks();
    this.controller?.abort(createAbortError(error));
    this.crashed(error);
  }

  /** How a crash reaches the caller: by default, as the call's rejection. */
  protected crashed(error: unknown): void {
    this.rejectPromise(error);
  }

  /** `count` slots settled (one, or a whole batch) before the run ended. */
  protected slotsSettled(count = 1): void {
    this.remaining -= count;
    if (this.remaining === 0) this.complete();
  }

  private complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.releaseLinks();
    this.settle();
  }

  /**
   * Ends the run early: records it first (so abort listeners that re-enter cannot
   * settle it twice), releases the caller's link and the timer, then aborts the
   * tasks' signal with `abortReason` — built only if some task holds the signal.
   */
  protected end(abortReason: () => unknown): void {
    this.ended = true;
    this.releaseLinks();
    this.controller?.abort(abortReason());
    if (!this.waitForCleanup) this.settle();
    else {
      this.holdForCleanup();
      if (this.nothingRunning()) this.settle();
    }
  }

  /**
   * Ends the run because the caller's signal aborted or the deadline passed: the
   * tasks see that reason itself, the same object. Only `undefined` cannot be
   * passed on — `AbortController.abort(undefined)` would put an `"AbortError"` of
   * its own in its place — so it becomes p-gather's `"AbortError"` with an
   * `undefined` cause; the call still rejects with `undefined`.
   */
  protected endByAbort(reason: unknown): void {
    this.end(() => (reason === undefined ? createAbortError(undefined) : reason));
  }

  /** Ends the run because a task failed with `failure`: its siblings see an `"AbortError"`. */
  protected endWithFailure(failure: unknown): void {
    this.end(() => createAbortError(failure));
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.finish();
  }

  private releaseLinks(): void {
    if (this.callerLink !== undefined) {
      unlinkSignal(this.callerLink, this);
      this.callerLink = undefined;
    }
    clearDeadline(this);
  }

  /** The signal handed to every task function, made on first use. */
  protected callSignal(): AbortSignal {
    if (this.signal !== undefined) return this.signal;
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    liftListenerCap(this.signal);
    return this.signal;
  }
}
