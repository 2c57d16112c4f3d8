import { createAbortError } from './abort-errors';
import { createLimiter, type LimiterHost, type StartLimiter } from './limits/limiter';
import { type CallLinks, linkCaller } from './links';
import { ownController } from './listener-cap';
import type { Settings } from './options';
import {
  absorbedRejection,
  absorbRejection,
  inMicrotask,
  nativeThen,
  promiseFor,
} from './promises';
import { Queue } from './queue';
import type { AbortFollower } from './signal-link';
import type { TaskFunction } from './types';

/** A spawned task function that waits for the group's limiter, and how to settle its promise. */
interface Spawned {
  readonly task: TaskFunction;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * The state of one `TaskGroup`, shaped as Go's `errgroup`: a count of pending
 * tasks, the first failure kept once, the group's controller, an optional limiter.
 * The group settles when nothing is pending and it was joined (success) or
 * stopped (a failure, an abort): a group always waits for its started tasks.
 */
export class Group implements AbortFollower, LimiterHost<Spawned> {
  /** Its tasks may add any number of listeners to its signal without a warning. */
  readonly #controller = ownController();
  /** Made with the group: one aborted before its first spawn already shows it. */
  readonly signal = this.#controller.signal;
  /** `join()`'s promise. Invariant: settled once, a microtask after {@link settled} is set. */
  readonly promise: Promise<unknown>;
  /** Invariant: spawned tasks not yet settled — waiting for the limiter or running. */
  #pending = 0;
  /** Invariant: `join()` has been called. */
  #joined = false;
  /** Invariant: the group failed, was aborted or crashed; `reason` says why; nothing starts any more. */
  #stopped = false;
  #reason: unknown;
  /** Invariant: stopped by `group.abort()`: its reason is already in the caller's hands. */
  abortedByGroup = false;
  /** Invariant: nothing is pending and the group was joined or stopped; `join()` settles next. */
  #settled = false;
  /** Invariant: `join()`'s promise has settled (a microtask after {@link settled}). */
  joinSettled = false;
  /** `undefined` without a bound: a spawned task function is called at once. */
  readonly #limiter: StartLimiter | undefined;
  /** Under a shared limiter: the spawned task functions handed to it are taken from the queue at once. */
  readonly #handsOver: boolean;
  /** Invariant: spawned task functions waiting for the limiter, oldest first. */
  readonly #queue = new Queue<Spawned>();
  /** Invariant: those handed to a shared limiter and not yet called, for a stop to reject. */
  readonly #handed = new Set<Spawned>();
  /** Invariant: the caller's signal and the deadline, followed until the run ends. */
  #links: CallLinks | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;
  // One pair per group: what a task started at once goes through.
  readonly #fulfilled = (value: unknown): unknown => {
    this.#settledNow(true, value);
    return value;
  };
  readonly #rejected = (reason: unknown): never => {
    this.#settledNow(false, reason);
    throw reason;
  };

  constructor(settings: Settings) {
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#limiter = createLimiter(settings, this, Infinity);
    this.#handsOver = settings.limit !== undefined;
    try {
      this.#links = linkCaller(this, settings);
    } catch (error) {
      this.#crash(error);
    }
  }

  /** `join()` was called and nothing is pending: `spawn` is refused. */
  get closed(): boolean {
    return this.#joined && this.#settled;
  }

  /**
   * Calls `task` now (or queues it under a bound) and returns a promise of its
   * result that is never reported unhandled: the group reports the failure. A task
   * started at once costs no promise of its own: the one `then` derives is returned.
   */
  spawn(task: TaskFunction): Promise<unknown> {
    if (this.#stopped) return absorbedRejection(this.#reason);
    this.#pending++;
    if (this.#limiter !== undefined) {
      let spawned: Spawned | undefined;
      const promise = new Promise((resolve, reject) => {
        spawned = { task, resolve, reject };
      });
      absorbRejection(promise);
      this.#queue.push(spawned as Spawned);
      this.#limiter.enqueue();
      return promise;
    }
    let result: unknown;
    let promise: Promise<unknown> | undefined;
    let derived: unknown;
    try {
      result = task(this.signal);
      promise = promiseFor(result);
      if (promise !== undefined)
        derived = nativeThen.call(promise, this.#fulfilled, this.#rejected);
    } catch (error) {
      this.#settledNow(false, error);
      return absorbedRejection(error);
    }
    if (promise === undefined) {
      this.#settledNow(true, result);
      return Promise.resolve(result);
    }
    absorbRejection(derived);
    return derived as Promise<unknown>;
  }

  join(): Promise<unknown> {
    if (!this.#joined) {
      this.#joined = true;
      this.#settleIfDone();
    }
    return this.promise;
  }

  /** `group.abort(reason)`: nothing once the group has stopped or settled. */
  abortGroup(reason: unknown): void {
    if (this.#stopped || this.#settled) return;
    this.abortedByGroup = true;
    this.followAbort(reason);
  }

  /**
   * The caller's signal, the deadline or `group.abort(reason)`. As
   * `AbortController.abort(undefined)`: no reason means an "AbortError" of the
   * group's, and `join()` rejects with that same object.
   */
  followAbort(reason: unknown): void {
    if (this.#stopped || this.#settled) return;
    const groupReason = reason === undefined ? createAbortError(undefined) : reason;
    this.#stop(groupReason, groupReason);
  }

  next(): Spawned | undefined {
    if (this.#stopped) return undefined;
    const spawned = this.#queue.shift();
    if (spawned !== undefined && this.#handsOver) this.#handed.add(spawned);
    return spawned;
  }

  call(spawned: Spawned): Promise<unknown> | undefined {
    if (this.#stopped) return undefined;
    this.#handed.delete(spawned);
    let result: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      result = spawned.task(this.signal);
      promise = promiseFor(result);
    } catch (error) {
      this.settled(spawned, false, error);
      return undefined;
    }
    if (promise === undefined) this.settled(spawned, true, result);
    return promise;
  }

  settled(spawned: Spawned, fulfilled: boolean, outcome: unknown): void {
    if (fulfilled) spawned.resolve(outcome);
    else spawned.reject(outcome);
    this.#settledNow(fulfilled, outcome);
  }

  refuse(spawned: Spawned, error: unknown): void {
    if (!this.#handed.delete(spawned)) return;
    spawned.reject(error);
    this.#settledNow(false, error);
  }

  /**
   * Rejects with `error` from a place no task owns (a caller's signal-like object
   * that throws), so the constructor never throws for it; settles at once.
   */
  #crash(error: unknown): void {
    this.#stopped = true;
    this.#settled = true;
    this.#reason = error;
    this.#links?.release();
    this.#controller.abort(createAbortError(error));
    absorbRejection(this.promise);
    this.joinSettled = true;
    this.#reject(error);
  }

  /** A spawned task settled: the first failure stops the group. */
  #settledNow(fulfilled: boolean, outcome: unknown): void {
    this.#pending--;
    if (!fulfilled && !this.#stopped) this.#stop(outcome, createAbortError(outcome));
    this.#settleIfDone();
  }

  /**
   * The first failure or an abort: recorded before the signal aborts (a listener
   * that re-enters cannot change it: test/task-group.test.ts, "keeps the failure
   * when an abort listener re-enters the group"); the tasks still waiting for the
   * limiter will never be called, so their promises reject now, before `join()`.
   */
  #stop(reason: unknown, abortReason: unknown): void {
    this.#stopped = true;
    this.#reason = reason;
    this.#links?.release();
    this.#controller.abort(abortReason);
    const waiting = this.#queue;
    for (let spawned = waiting.shift(); spawned !== undefined; spawned = waiting.shift()) {
      this.#handed.add(spawned);
    }
    for (const spawned of this.#handed) spawned.reject(reason);
    this.#pending -= this.#handed.size;
    this.#handed.clear();
    this.#settleIfDone();
  }

  /**
   * Settles `join()`'s promise one microtask after the last task's outcome, so that
   * the reactions of the spawned promises (settled in that same turn) run before
   * the code awaiting `join()`.
   */
  #settleIfDone(): void {
    if (this.#settled || this.#pending !== 0 || !(this.#joined || this.#stopped)) return;
    this.#settled = true;
    this.#links?.release();
    // `join()` may never be called (`await using` disposes instead): never unhandled.
    absorbRejection(this.promise);
    inMicrotask(() => {
      this.joinSettled = true;
      if (this.#stopped) this.#reject(this.#reason);
      else this.#resolve(undefined);
    });
  }
}
