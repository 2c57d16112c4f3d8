import { createAbortError } from './abort-errors';
import type { Collection } from './collection';
import { createLimiter, type LimiterHost, type StartLimiter } from './limits/limiter';
import { type CallLinks, linkCaller } from './links';
import { ownController } from './listener-cap';
import type { Settings } from './options';
import { absorbRejection, fulfilledPromise, nativeThen, promiseFor } from './promises';
import { GO_ON, REJECT, type Rules } from './rules';
import type { AbortFollower } from './signal-link';
import { AWAITED, DONE, RUNNING, type SlotStates, slotStates, WAITING } from './slots';
import type { TaskFunction } from './types';

/** How a run that has ended settles when no verdict said: as `rules.result` says. */
const RESULT = 3;

/**
 * The state of one call and its single settle-once path. The intake (the start
 * loop in {@link begin}, or a limiter through {@link next}) starts task functions;
 * their outcomes go through {@link record} to the rules; the run ends once
 * (`end` / `complete`) and settles once (`settle`). ARCHITECTURE.md follows one task.
 */
export class Run<C = unknown> implements AbortFollower, LimiterHost<number> {
  /** What an outcome means for the public function that made this run. */
  readonly #rules: Rules<C>;
  /** The public function's own per-call state, handed to its rules (`asCompleted`'s delivery). */
  readonly context: C;
  /** The input as read: its shape and keys, for the output. */
  readonly collection: Collection;
  /**
   * Invariant: per slot, the input task until it is DONE (then what the rules keep),
   * except while it is awaited: then nothing, or the promise the batch waits on.
   * Replaced once, by {@link completeWith}, with the batch's results.
   */
  values: unknown[];
  /** Invariant: one of slots.ts's states per slot, only ever moving forward. */
  readonly state: SlotStates;
  /** Invariant: settled exactly once, by `#settle`. */
  readonly promise: Promise<unknown>;
  readonly #settings: Settings;
  /** Invariant: when ended early, it settles only once `running` is 0. */
  readonly waitForCleanup: boolean;
  /** Invariant: set before the intake; `undefined` when every task function starts at once. */
  limiter: StartLimiter | undefined;
  /** Invariant: no limiter and a `rules.batch`: `batchCount` slots hold a promise for it. */
  #batched = false;
  batchCount = 0;
  /** Invariant: slots not DONE, plus one while the intake reads; meaningful until the run ends. */
  #remaining: number;
  /** Invariant: task functions called and not seen to settle (a batch's, until its release). */
  #running = 0;
  /** Invariant: the intake has read slots [0, read) and is `reading` while its loop runs; no WAITING slot lies before `cursor`. */
  read = 0;
  #reading = false;
  #cursor = 0;
  /** Invariant: 0 while the run goes on; then how it settles (REJECT, RESOLVE with `endValue`, RESULT), set once. */
  #ending = 0;
  #endValue: unknown;
  /** Invariant: the promise (or `rules.settled`) has been given its outcome. */
  #settled = false;
  /** Invariant: made when the first task function is called; aborted at most once, by `#end`. */
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  /** Invariant: the caller's signal and the deadline, followed until the run ends. */
  #links: CallLinks | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;

  constructor(rules: Rules<C>, context: C, collection: Collection, settings: Settings) {
    this.#rules = rules;
    this.context = context;
    this.collection = collection;
    this.values = collection.values;
    this.state = slotStates(collection.values.length);
    this.#remaining = collection.values.length + 1;
    this.#settings = settings;
    this.waitForCleanup = settings.waitForCleanup;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get ended(): boolean {
    return this.#ending !== 0;
  }

  /**
   * The collection intake: links the caller's signal and arms the deadline, then
   * reads every slot in input order — a task function starts (or waits for its
   * limiter), any other task is awaited — until the run ends.
   */
  begin(): void {
    this.#links = linkCaller(this, this.#settings);
    if (this.#ending !== 0) return;
    const { values } = this;
    const limiter = createLimiter(this.#settings, this, values.length);
    this.limiter = limiter;
    this.#batched = limiter === undefined && this.#rules.batch !== undefined;
    this.#reading = true;
    for (let slot = 0; slot < values.length && this.#ending === 0; slot++) {
      this.read = slot + 1;
      const task = values[slot];
      if (typeof task !== 'function') this.#awaitTask(slot, task);
      else if (limiter === undefined) {
        const promise = this.call(slot);
        if (promise !== undefined) this.#watch(slot, promise, true);
      } else {
        this.state[slot] = WAITING;
        limiter.enqueue();
      }
    }
    this.#reading = false;
    if (this.#batched) this.#rules.batch?.handOver(this);
    if (--this.#remaining === 0) this.#complete();
  }

  /** The oldest waiting task function, for the limiter: a cursor over the slots read. */
  next(): number | undefined {
    if (this.#ending !== 0) return undefined;
    const { state, read } = this;
    let slot = this.#cursor;
    while (slot < read && state[slot] !== WAITING) slot++;
    this.#cursor = slot === read ? slot : slot + 1;
    return slot === read ? undefined : slot;
  }

  /**
   * Calls the task function of `slot` with the call's signal. Returns the promise
   * to await for it, or `undefined` when its outcome is already recorded (it threw
   * or returned a plain value) or the run has ended and it is not called.
   */
  call(slot: number): Promise<unknown> | undefined {
    if (this.#ending !== 0) return undefined;
    const task = this.values[slot] as TaskFunction;
    this.state[slot] = RUNNING;
    this.#running++;
    let result: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      result = task(this.#signal ?? this.#makeSignal());
      promise = promiseFor(result);
    } catch (error) {
      this.#settledNow(slot, true, false, error);
      return undefined;
    }
    if (promise === undefined) this.#settledNow(slot, true, true, result);
    // While it runs, what the task function closes over is not kept by the run.
    else this.values[slot] = undefined;
    return promise;
  }

  /** For the limiter: the promise a started task function returned has settled. */
  settled(slot: number, fulfilled: boolean, outcome: unknown): void {
    this.#settledNow(slot, true, fulfilled, outcome);
  }

  /** The limiter refused the task function of `slot`: it fails as if it had thrown. */
  refuse(slot: number, error: unknown): void {
    this.record(slot, false, error);
  }

  /**
   * Awaits a task of the input that is not a task function. A plain value has
   * settled as it is: no promise is made for it.
   */
  #awaitTask(slot: number, task: unknown): void {
    let promise: Promise<unknown> | undefined;
    try {
      promise = promiseFor(task);
    } catch (error) {
      this.#settledNow(slot, false, false, error);
      return;
    }
    this.state[slot] = AWAITED;
    if (promise !== undefined) this.#watch(slot, promise, false);
    else if (!this.#rules.defersPlainValues) this.#settledNow(slot, false, true, task);
    // `first`: as `Promise.any` awaits a value, an already fulfilled promise before
    // it wins (test/first.test.ts, "awaits a plain value as Promise.any does").
    else nativeThen.call(fulfilledPromise(), () => this.record(slot, true, task), undefined);
  }

  /**
   * Waits for a slot's promise with no limiter: it goes to the batch, or gets a
   * pair of reactions that know the slot.
   */
  #watch(slot: number, promise: Promise<unknown>, started: boolean): void {
    if (this.#batched) {
      this.values[slot] = promise;
      this.batchCount++;
      return;
    }
    try {
      nativeThen.call(
        promise,
        (value) => this.#settledNow(slot, started, true, value),
        (reason) => this.#settledNow(slot, started, false, reason),
      );
    } catch (error) {
      // `Promise.prototype.then` borrowed by an object that is not a promise.
      this.#settledNow(slot, started, false, error);
    }
  }

  #settledNow(slot: number, started: boolean, fulfilled: boolean, outcome: unknown): void {
    if (started) this.#running--;
    this.record(slot, fulfilled, outcome);
    if (started && this.#ending !== 0 && this.#running === 0) this.#settle();
  }

  /** A slot's outcome: the rules say what it means; once ended, it is only kept. */
  record(slot: number, fulfilled: boolean, outcome: unknown): void {
    if (this.#settled || this.state[slot] === DONE) return;
    this.state[slot] = DONE;
    const { values, context } = this;
    const rules = this.#rules;
    const verdict = fulfilled
      ? rules.fulfilled(values, slot, outcome, context)
      : rules.rejected(values, slot, outcome, context);
    if (this.#ending !== 0) return;
    // The siblings of a failure see an "AbortError" caused by it; a win is no failure.
    if (verdict !== GO_ON) this.#end(verdict, outcome, fulfilled ? undefined : outcome, false);
    else if (--this.#remaining === 0) this.#complete();
  }

  /**
   * The caller's signal aborted or the deadline passed: the tasks see that reason,
   * the same object (`undefined` becomes our "AbortError": the platform would put
   * its own there). When every outcome is kept, the open slots read the reason.
   */
  followAbort(reason: unknown): void {
    if (this.#ending !== 0) return;
    if (!this.#rules.keepsEveryOutcome) {
      this.#end(REJECT, reason, reason, true);
      return;
    }
    this.#absorbUnread();
    const { state, values, context } = this;
    const rules = this.#rules;
    // Fixed now — but a running task function keeps its own outcome with waitForCleanup.
    for (let slot = 0; slot < state.length; slot++) {
      const slotState = state[slot];
      if (slotState === DONE || (slotState === RUNNING && this.waitForCleanup)) continue;
      state[slot] = DONE;
      rules.rejected(values, slot, reason, context);
    }
    this.#end(RESULT, undefined, reason, true);
  }

  /** `asCompleted`'s consumer left the loop: the tasks are aborted, no failure caused it. */
  leave(): void {
    if (this.#ending === 0) this.#end(RESULT, undefined, undefined, false);
  }

  /** An error no task owns (a caller's signal-like object that throws): reject, at once. */
  crash(error: unknown): void {
    if (this.#ending === 0) this.#end(REJECT, error, error, false);
    this.#settle();
  }

  #complete(): void {
    if (this.#ending !== 0) return;
    this.#ending = RESULT;
    this.#links?.release();
    this.#settle();
  }

  /**
   * The one way a run ends early. How it settles is recorded first, so abort
   * listeners that re-enter cannot settle it twice or change its reason
   * (test/gather.test.ts, "keeps its failure when a sibling rejects from inside an
   * abort listener"); then the caller's link
   * and the timer go, the unread input is given rejection handlers, and the tasks'
   * signal aborts — with `cause` itself when `passOn`, else an "AbortError" it causes.
   */
  #end(ending: number, value: unknown, cause: unknown, passOn: boolean): void {
    this.#ending = ending;
    this.#endValue = value;
    this.#links?.release();
    this.#absorbUnread();
    this.#controller?.abort(passOn && cause !== undefined ? cause : createAbortError(cause));
    if (!this.waitForCleanup || this.#running === 0) this.#settle();
    else if (this.#batched && !this.#reading) this.#rules.batch?.holdForCleanup(this);
  }

  /**
   * The batch's `Promise.all` fulfilled and every slot was in it: its results, in
   * slot order, are what `rules.fulfilled` would keep (`gather`'s, the one rules with
   * a batch), so the call completes with that list as it is, not slot by slot.
   */
  completeWith(results: unknown[]): void {
    if (this.#ending !== 0) return;
    this.values = results;
    this.#complete();
  }

  /** `count` batched task functions have settled (with waitForCleanup, after the end). */
  released(count: number): void {
    this.#running -= count;
    if (this.#running === 0) this.#settle();
  }

  /** The batch's `Promise.all` rejected: under fail-fast rules, the call rejects with it. */
  batchRejected(reason: unknown): void {
    if (this.#ending === 0) this.#end(REJECT, reason, reason, false);
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    const rules = this.#rules;
    const ending = this.#ending;
    const rejects = ending === RESULT ? rules.resultRejects : ending === REJECT;
    const value = ending === RESULT ? rules.result(this.values, this.collection) : this.#endValue;
    if (rules.settled !== undefined) {
      rules.settled(this.context, rejects, value);
      this.#resolve(undefined);
    } else if (rejects) this.#reject(value);
    else this.#resolve(value);
  }

  /** Promises read but never awaited get a handler; lazy thenables stay unstarted. */
  #absorbUnread(): void {
    const { values } = this;
    for (let slot = this.read; slot < values.length; slot++) absorbRejection(values[slot]);
    this.read = values.length;
  }

  /** The signal handed to every task function, made on first use. */
  #makeSignal(): AbortSignal {
    this.#controller = ownController();
    this.#signal = this.#controller.signal;
    return this.#signal;
  }
}
