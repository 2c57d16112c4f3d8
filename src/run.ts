import { createAbortError } from './abort-errors';
import { handOver, holdBatchForCleanup } from './batch';
import { type Collection, readCollection } from './collection';
import { armDeadline, clearDeadline, type DeadlineHolder } from './deadline';
import { createLimiter, type Limiter, type LimiterHost } from './limits/limiter';
import { readOptions, type Settings } from './options';
import { absorbRejection, fulfilledPromise, nativeThen, promiseFor } from './promises';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';
import { AWAITED, DONE, RUNNING, WAITING } from './slots';

/** A verdict on one outcome: recorded, the call goes on. */
export const GO_ON = 0;
/** A verdict: the call ends and resolves with this outcome (`first`'s winner). */
export const RESOLVE = 1;
/** A verdict: the call ends and rejects with this outcome (`gather`'s first failure). */
export const REJECT = 2;
export type Verdict = typeof GO_ON | typeof RESOLVE | typeof REJECT;
/** How a run that has ended settles besides a verdict: as `rules.result` says. */
const RESULT = 3;

/**
 * What an outcome means for one public function — data the run consults, never
 * code that touches its state. `kept` is the run's `values`: each rule keeps there
 * what it needs of a slot once the slot is done (a value, an outcome, a reason).
 */
export interface Rules<C> {
  /** A failure does not end the call; on an abort, open slots read its reason. */
  readonly keepsEveryOutcome: boolean;
  /** Promises go to the platform's `Promise.all` in one batch when nothing limits (batch.ts). */
  readonly batches: boolean;
  /** Plain values are awaited a microtask later, as `Promise.any` awaits them. */
  readonly defersPlainValues: boolean;
  /** The call rejects with {@link result}, rather than resolving with it. */
  readonly resultRejects: boolean;
  fulfilled(kept: unknown[], slot: number, value: unknown, context: C): Verdict;
  rejected(kept: unknown[], slot: number, reason: unknown, context: C): Verdict;
  /** What it settles with when every slot is done, or aborted while keeping every outcome. */
  result(kept: unknown[], collection: Collection): unknown;
  /** Where the settlement goes instead of the run's promise (`asCompleted`'s iterator). */
  readonly settled: ((context: C, rejects: boolean, value: unknown) => void) | undefined;
}

type TaskFunction = (signal: AbortSignal) => unknown;

/**
 * The state of one call and its single settle-once path. The intake (the start
 * loop in {@link begin}, or a limiter through {@link next}) starts task functions;
 * their outcomes go through {@link record} to the rules; the run ends once
 * (`end` / `complete`) and settles once (`settle`). ARCHITECTURE.md follows one task.
 */
export class Run<C = unknown> implements AbortFollower, DeadlineHolder, LimiterHost<number> {
  readonly rules: Rules<C>;
  readonly context: C;
  readonly collection: Collection;
  /**
   * Invariant: while a slot is UNREAD, WAITING or AWAITED, the input task; while
   * RUNNING in a batch, the promise its function returned (else `undefined`, so
   * what it closes over is not kept); once DONE, what the rules keep for it.
   */
  readonly values: unknown[];
  /** Invariant: one of slots.ts's states per slot, only ever moving forward. */
  readonly state: Uint8Array;
  readonly promise: Promise<unknown>;
  readonly settings: Settings;
  readonly waitForCleanup: boolean;
  /** Invariant: set once, before the intake; `undefined` when every task function starts at once. */
  limiter: Limiter | undefined = undefined;
  /** Invariant: with no limiter and `rules.batches`, pending promises go to batch.ts. */
  batched = false;
  /** Invariant: how many slots hold a promise for the batch (RUNNING or AWAITED). */
  batchCount = 0;
  /** Invariant: slots not DONE, plus one while the intake reads; meaningful until the run ends. */
  private remaining: number;
  /** Invariant: task functions called and not seen to settle (a batch's, until its release). */
  running = 0;
  /** Invariant: the intake has read slots [0, read); no WAITING slot lies before `cursor`. */
  read = 0;
  private cursor = 0;
  /** Invariant: the start loop is on the stack. */
  reading = false;
  /** Invariant: 0 while the run goes on; then how it settles, once and for good. */
  private ending = 0;
  private endValue: unknown = undefined;
  /** Invariant: the promise (or `rules.settled`) has been given its outcome. */
  private settled = false;
  private controller: AbortController | undefined = undefined;
  private signal: AbortSignal | undefined = undefined;
  private callerLink: SignalFollowers | undefined = undefined;
  deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  deadlineRemaining = 0;
  private resolve!: (value: unknown) => void;
  private reject!: (reason: unknown) => void;

  constructor(rules: Rules<C>, context: C, collection: Collection, settings: Settings) {
    this.rules = rules;
    this.context = context;
    this.collection = collection;
    this.values = collection.values;
    this.state = new Uint8Array(collection.values.length);
    this.remaining = collection.values.length + 1;
    this.settings = settings;
    this.waitForCleanup = settings.waitForCleanup;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get ended(): boolean {
    return this.ending !== 0;
  }

  /**
   * Links the caller's signal and arms the deadline *before* the first task
   * function is called (a task that aborts the caller's signal as it starts stops
   * the rest), then reads every slot in input order: a task function starts (or
   * waits for its limiter), any other task is awaited.
   */
  begin(): void {
    const { settings } = this;
    const { signal, timeout } = settings;
    if (signal?.aborted) {
      this.followAbort(signal.reason);
      return;
    }
    if (signal !== undefined) this.callerLink = linkSignal(signal, this);
    if (timeout !== Number.POSITIVE_INFINITY) armDeadline(this, timeout);
    this.limiter = createLimiter(settings, this, this.values.length);
    this.batched = this.limiter === undefined && this.rules.batches;
    const { values, limiter } = this;
    this.reading = true;
    for (let slot = 0; slot < values.length && this.ending === 0; slot++) {
      this.read = slot + 1;
      const task = values[slot];
      if (typeof task !== 'function') this.awaitTask(slot, task);
      else if (limiter === undefined) this.start(slot);
      else {
        this.state[slot] = WAITING;
        limiter.enqueue();
      }
    }
    this.reading = false;
    if (this.batched) handOver(this);
    if (--this.remaining === 0) this.complete();
  }

  /** The limiter asks for the oldest waiting task function: a cursor over the slots read. */
  next(): number | undefined {
    if (this.ending !== 0) return undefined;
    const { state, read } = this;
    let slot = this.cursor;
    while (slot < read && state[slot] !== WAITING) slot++;
    this.cursor = slot === read ? slot : slot + 1;
    return slot === read ? undefined : slot;
  }

  /** Calls the task function of `slot` with the call's signal and watches what it returns. */
  start(slot: number): Promise<void> | undefined {
    if (this.ending !== 0) return undefined;
    const task = this.values[slot] as TaskFunction;
    this.values[slot] = undefined;
    this.state[slot] = RUNNING;
    this.running++;
    let result: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      result = task(this.signal ?? this.makeSignal());
      promise = promiseFor(result);
    } catch (error) {
      this.functionSettled(slot, false, error);
      return undefined;
    }
    // Settled as it returned: no promise is made for a plain value.
    if (promise === undefined) {
      this.functionSettled(slot, true, result);
      return undefined;
    }
    if (this.batched) {
      this.values[slot] = promise;
      this.batchCount++;
      return undefined;
    }
    try {
      return nativeThen.call(
        promise,
        (value) => this.functionSettledLater(slot, true, value),
        (reason) => this.functionSettledLater(slot, false, reason),
      ) as Promise<void>;
    } catch (error) {
      // `Promise.prototype.then` borrowed by an object that is not a promise.
      this.functionSettled(slot, false, error);
      return undefined;
    }
  }

  /** The limiter refused the task function of `slot`: it fails as if it had thrown. */
  refuse(slot: number, error: unknown): void {
    this.record(slot, false, error);
  }

  private awaitTask(slot: number, task: unknown): void {
    let promise: Promise<unknown> | undefined;
    try {
      promise = promiseFor(task);
    } catch (error) {
      this.record(slot, false, error);
      return;
    }
    if (promise === undefined && !this.rules.defersPlainValues) {
      this.record(slot, true, task);
      return;
    }
    this.state[slot] = AWAITED;
    if (promise === undefined) {
      // `first`: as `Promise.any` awaits a value — an already fulfilled promise
      // earlier in the input wins over it (test/first.test.ts, "plain value").
      nativeThen.call(fulfilledPromise(), () => this.record(slot, true, task), undefined);
    } else if (this.batched) {
      this.values[slot] = promise;
      this.batchCount++;
    } else {
      try {
        nativeThen.call(
          promise,
          (value) => this.record(slot, true, value),
          (reason) => this.record(slot, false, reason),
        );
      } catch (error) {
        this.record(slot, false, error);
      }
    }
  }

  private functionSettledLater(slot: number, fulfilled: boolean, outcome: unknown): void {
    this.functionSettled(slot, fulfilled, outcome);
    // After the outcome: a failure has ended the run, and nothing more starts.
    if (this.limiter !== undefined) this.limiter.release();
  }

  private functionSettled(slot: number, fulfilled: boolean, outcome: unknown): void {
    this.running--;
    this.record(slot, fulfilled, outcome);
    if (this.ending !== 0 && this.running === 0) this.settle();
  }

  /** A slot's outcome: the rules say what it means; once ended, it is only kept. */
  private record(slot: number, fulfilled: boolean, outcome: unknown): void {
    if (this.settled || this.state[slot] === DONE) return;
    this.state[slot] = DONE;
    const { rules, values, context } = this;
    const verdict = fulfilled
      ? rules.fulfilled(values, slot, outcome, context)
      : rules.rejected(values, slot, outcome, context);
    if (this.ending !== 0) return;
    // The siblings of a failure see an "AbortError" caused by it; a win is no failure.
    if (verdict !== GO_ON) this.end(verdict, outcome, fulfilled ? undefined : outcome, false);
    else if (--this.remaining === 0) this.complete();
  }

  /**
   * The caller's signal aborted or the deadline passed. The tasks see the reason
   * itself, the same object — but `abort(undefined)` would put an "AbortError" of
   * the platform's in its place, so `undefined` becomes ours, with an `undefined`
   * cause; the call still rejects with `undefined`.
   */
  followAbort(reason: unknown): void {
    if (this.ending !== 0) return;
    if (!this.rules.keepsEveryOutcome) {
      this.end(REJECT, reason, reason, true);
      return;
    }
    this.absorbUnread();
    const { state, values, rules, context } = this;
    // Fixed at the abort; a running task function's own outcome, with waitForCleanup.
    for (let slot = 0; slot < state.length; slot++) {
      const slotState = state[slot];
      if (slotState === DONE || (slotState === RUNNING && this.waitForCleanup)) continue;
      state[slot] = DONE;
      rules.rejected(values, slot, reason, context);
    }
    this.end(RESULT, undefined, reason, true);
  }

  /** `asCompleted`'s consumer left the loop: the tasks are aborted, no failure caused it. */
  leave(): void {
    if (this.ending === 0) this.end(RESULT, undefined, undefined, false);
  }

  /**
   * Rejects the call with `error` from a place no task owns (a caller's
   * signal-like object whose `aborted`, `reason` or `addEventListener` throws), so
   * that no public function throws synchronously. It settles at once.
   */
  crash(error: unknown): void {
    if (this.ending === 0) this.end(REJECT, error, error, false);
    this.settle();
  }

  private complete(): void {
    if (this.ending !== 0) return;
    this.ending = RESULT;
    this.releaseLinks();
    this.settle();
  }

  /**
   * The one way a run ends early. How it settles is recorded first, so abort
   * listeners that re-enter cannot settle it twice or change its reason
   * (test/gather.test.ts, "abort listeners that re-enter"); then the caller's link
   * and the timer go, the unread input is given rejection handlers, and the tasks'
   * signal aborts — with `cause` itself when `passOn`, else an "AbortError" it causes.
   */
  private end(ending: number, value: unknown, cause: unknown, passOn: boolean): void {
    this.ending = ending;
    this.endValue = value;
    this.releaseLinks();
    this.absorbUnread();
    this.controller?.abort(passOn && cause !== undefined ? cause : createAbortError(cause));
    if (!this.waitForCleanup || this.running === 0) this.settle();
    else if (this.batched && !this.reading) holdBatchForCleanup(this);
  }

  /** `count` batched task functions have settled (with waitForCleanup, after the end). */
  released(count: number): void {
    this.running -= count;
    if (this.running === 0) this.settle();
  }

  /** The batch's `Promise.all` rejected: batches serve only rules that end on any failure. */
  batchRejected(reason: unknown): void {
    if (this.ending === 0) this.end(REJECT, reason, reason, false);
  }

  /** The batch's `Promise.all` fulfilled, `results` in the order of the batched slots. */
  batchFulfilled(results: readonly unknown[]): void {
    if (this.ending !== 0) return;
    const { state, values } = this;
    for (let slot = 0, k = 0; k < results.length; slot++) {
      if (state[slot] === DONE) continue;
      values[slot] = results[k++];
      state[slot] = DONE;
    }
    this.remaining -= results.length;
    if (this.remaining === 0) this.complete();
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    const { rules, ending } = this;
    const rejects = ending === RESULT ? rules.resultRejects : ending === REJECT;
    const value = ending === RESULT ? rules.result(this.values, this.collection) : this.endValue;
    if (rules.settled !== undefined) {
      rules.settled(this.context, rejects, value);
      this.resolve(undefined);
    } else if (rejects) this.reject(value);
    else this.resolve(value);
  }

  /** Promises read but never to be awaited must not be reported unhandled; lazy thenables stay unstarted. */
  private absorbUnread(): void {
    const { values } = this;
    for (let slot = this.read; slot < values.length; slot++) absorbRejection(values[slot]);
    this.read = values.length;
  }

  private releaseLinks(): void {
    if (this.callerLink !== undefined) {
      unlinkSignal(this.callerLink, this);
      this.callerLink = undefined;
    }
    clearDeadline(this);
  }

  /** The signal handed to every task function, made on first use. */
  private makeSignal(): AbortSignal {
    this.controller = new AbortController();
    this.signal = this.controller.signal;
    return this.signal;
  }
}

/** Keeps the hidden class of `Run` alive across full collections: see ARCHITECTURE.md. */
let idleRun: object | undefined;

/**
 * Options are checked and the input read — either may throw, before anything
 * starts — then the run is made; {@link beginRun} starts it.
 */
export function createRun<C>(
  rules: Rules<C>,
  context: C,
  tasks: unknown,
  options: unknown,
): Run<C> {
  const settings = readOptions(options);
  const run = new Run(rules, context, readCollection(tasks), settings);
  // Made by a call without a context of its own, so that it holds nothing of any call.
  if (idleRun === undefined && context === undefined) {
    idleRun = new Run(rules, context, readCollection([]), readOptions(undefined));
  }
  return run;
}

/** Begins `run`; an error from a place no task owns becomes its crash, never a throw. */
export function beginRun<C>(run: Run<C>): Run<C> {
  try {
    run.begin();
  } catch (error) {
    run.crash(error);
  }
  return run;
}
