import { createAbortError } from './abort-errors';
import type { Collection } from './collection';
import type { Settings } from './options';
import { type OwnList, ownList } from './own-list';
import { lastReject, lastResolve, nativeThen, pendingPromise } from './promises';
import { Run } from './run';

/** A slot's state, when its task function has been called and has not settled (0: nothing known yet). */
const RUNNING_FUNCTION = 1;
/** Its entry has been made: later outcomes of it are ignored. */
const REPORTED = 2;

/** One outcome, as `asCompleted` delivers it. */
export type CompletedEntry =
  | { key: unknown; status: 'fulfilled'; value: unknown }
  | { key: unknown; status: 'rejected'; reason: unknown };

type Step = IteratorResult<CompletedEntry, undefined>;

export function endOfIteration(): IteratorReturnResult<undefined> {
  return { done: true, value: undefined };
}

/**
 * `asCompleted`'s run: `gatherSettled`'s rules for starting, failing and aborting,
 * but each outcome is handed out as an entry the moment it is known — to the
 * oldest waiting `next()`, or into a buffer that keeps it until one asks.
 *
 * The iteration ends when the run has settled and the buffer is empty, or at once
 * when the consumer leaves the loop ({@link leave}).
 */
export class AsCompletedRun extends Run {
  private readonly keys: unknown[] | undefined;
  /**
   * Per slot: 0, {@link RUNNING_FUNCTION} or {@link REPORTED}. Kept apart
   * from `values`, which must keep the promises read from the input: the start loop
   * gives each one not yet awaited a rejection handler if the run ends early.
   */
  private readonly states: Uint8Array;
  /** Entries nobody has asked for yet, oldest first from {@link bufferHead}. */
  private readonly buffer: OwnList<CompletedEntry | undefined> = ownList();
  private bufferHead = 0;
  /** Pending `next()` calls, oldest first from {@link waiterHead}. */
  private readonly waiterResolves: OwnList<((step: Step) => void) | undefined> = ownList();
  private readonly waiterRejects: OwnList<((error: unknown) => void) | undefined> = ownList();
  private waiterHead = 0;
  /** The consumer left the loop: nothing more is delivered. */
  private left = false;
  /** A crash waits here, behind the buffered entries, for the `next()` that takes it. */
  private crashPending = false;
  private crashError: unknown = undefined;

  constructor(collection: Collection, settings: Settings) {
    super(collection, settings);
    this.keys = collection.keys;
    this.states = new Uint8Array(collection.values.length);
  }

  protected override functionStarting(index: number): void {
    this.states[index] = RUNNING_FUNCTION;
    // The function is called with what was read; what it closes over (a promise,
    // a large input) is not kept alive by the run while the loop goes on.
    this.values[index] = undefined;
  }

  /**
   * The start loop is over: what it read and has since been reported is let go (a
   * consumed entry's value must be collectable while the loop goes on). Until now
   * `values` had to keep every promise, for the loop to absorb those it would not
   * reach.
   */
  protected override afterStartLoop(): void {
    const { states, values } = this;
    for (let index = 0; index < states.length; index++) {
      if (states[index] === REPORTED) values[index] = undefined;
    }
  }

  taskFulfilled(index: number, value: unknown): void {
    if (this.settled || this.states[index] === REPORTED) return;
    this.report(index, { key: this.keyAt(index), status: 'fulfilled', value });
    if (!this.ended) this.slotsSettled();
  }

  taskRejected(index: number, reason: unknown): void {
    if (this.settled || this.states[index] === REPORTED) return;
    this.report(index, { key: this.keyAt(index), status: 'rejected', reason });
    if (!this.ended) this.slotsSettled();
  }

  followAbort(reason: unknown): void {
    if (this.ended) return;
    const { states, waitForCleanup } = this;
    // A slot that had finished keeps its entry, buffered or taken; the others read
    // the abort reason, in input order — but a running task function's own outcome
    // is awaited with `waitForCleanup`.
    for (let index = 0; index < states.length; index++) {
      const state = states[index];
      if (state === REPORTED || (waitForCleanup && state === RUNNING_FUNCTION)) continue;
      this.report(index, { key: this.keyAt(index), status: 'rejected', reason });
    }
    this.endByAbort(reason);
  }

  /** What `next()` returns: the oldest buffered entry, the end, or a wait for the next entry. */
  take(): Promise<Step> {
    const { buffer } = this;
    if (this.bufferHead < buffer.length) {
      const entry = buffer[this.bufferHead] as CompletedEntry;
      buffer[this.bufferHead++] = undefined;
      if (this.bufferHead === buffer.length) {
        buffer.length = 0;
        this.bufferHead = 0;
      }
      return Promise.resolve({ done: false, value: entry });
    }
    if (this.crashPending) {
      this.crashPending = false;
      return Promise.reject(this.crashError);
    }
    if (this.settled || this.left) return Promise.resolve(endOfIteration());
    const waiting = pendingPromise() as Promise<Step>;
    this.waiterResolves[this.waiterResolves.length] = lastResolve;
    this.waiterRejects[this.waiterRejects.length] = lastReject;
    return waiting;
  }

  /**
   * What `return()` does — the consumer left the loop. The tasks still running are
   * aborted with an `"AbortError"` (no failure caused it) and nothing more starts;
   * the promise resolves with the end of the iteration, with `waitForCleanup` once
   * the started task functions have settled.
   */
  leave(): Promise<IteratorReturnResult<undefined>> {
    if (!this.left) {
      this.left = true;
      this.crashPending = false;
      this.buffer.length = 0;
      this.bufferHead = 0;
      this.endWaiters();
      if (!this.ended) this.end(() => createAbortError(undefined));
    }
    if (this.settled) return Promise.resolve(endOfIteration());
    return nativeThen.call(this.promise, endOfIteration, undefined) as Promise<
      IteratorReturnResult<undefined>
    >;
  }

  protected finish(): void {
    // No entry comes any more; a `next()` still waiting has nothing buffered ahead of it.
    this.endWaiters();
    this.resolvePromise(undefined);
  }

  protected override crashed(error: unknown): void {
    if (!this.left) {
      const reject = this.waiterRejects[this.waiterHead];
      if (reject !== undefined) {
        this.waiterHead++;
        reject(error);
      } else {
        this.crashPending = true;
        this.crashError = error;
      }
      this.endWaiters();
    }
    // `leave()` waits on this promise; nobody else holds it, so it never rejects.
    this.resolvePromise(undefined);
  }

  private report(index: number, entry: CompletedEntry): void {
    this.states[index] = REPORTED;
    if (this.startLoopDone) this.values[index] = undefined;
    if (this.left) return;
    const resolve = this.waiterResolves[this.waiterHead];
    if (resolve === undefined) {
      this.buffer[this.buffer.length] = entry;
      return;
    }
    this.waiterResolves[this.waiterHead] = undefined;
    this.waiterRejects[this.waiterHead] = undefined;
    if (++this.waiterHead === this.waiterResolves.length) this.clearWaiters();
    resolve({ done: false, value: entry });
  }

  private endWaiters(): void {
    const resolves = this.waiterResolves;
    for (let index = this.waiterHead; index < resolves.length; index++) {
      (resolves[index] as (step: Step) => void)(endOfIteration());
    }
    this.clearWaiters();
  }

  private clearWaiters(): void {
    this.waiterResolves.length = 0;
    this.waiterRejects.length = 0;
    this.waiterHead = 0;
  }

  private keyAt(index: number): unknown {
    return this.keys === undefined ? index : this.keys[index];
  }
}
