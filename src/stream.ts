import { createAbortError } from './abort-errors';
import { type CallLinks, linkCaller } from './links';
import { ownController } from './listener-cap';
import { listAsArray, type OwnList, ownList } from './own-list';
import { nativeThen, promiseFor } from './promises';
import type { AbortFollower } from './signal-link';
import type { StreamArguments, StreamSettings } from './stream-arguments';
import { deliver, deliverFinished, outcomeOf, type StreamConsumer } from './stream-delivery';
import { GOING_ON, StreamIntake } from './stream-intake';
import { DONE, FINISHED, type Item, PULLED, RUNNING, unlistItem } from './stream-item';

/** What a stream does with its outcomes: `map`, `mapSettled` or `mapIterable`. */
export const MAP = 0;
export const MAP_SETTLED = 1;
export const MAP_ITERABLE = 2;

/** How an ended stream settles: with its results, or with `#endValue` as the rejection, or left. */
const COMPLETE = 1;
const FAILED = 2;
const LEFT = 3;

/**
 * One `map`, `mapSettled` or `mapIterable` call: its source read by the intake it
 * builds on (stream-intake.ts), each item mapped with the call's signal. The same
 * caller link, deadline, shared limiter, abort errors and listener cap as a run —
 * but items are kept only while in flight, so an endless source holds bounded memory.
 *
 * Path of one item: the intake pulls and lists it → {@link start} calls the
 * mapper → {@link settleItem} records the outcome (stream-delivery.ts hands
 * `mapIterable`'s on) and pumps again. The stream ends once ({@link end} or
 * {@link complete}), closes the source once, and settles once ({@link settle}).
 */
export class Stream extends StreamIntake implements AbortFollower {
  readonly promise: Promise<unknown>;
  readonly #mode: number;
  readonly #mapper: StreamArguments['mapper'];
  readonly #settings: StreamSettings;
  readonly #consumer: StreamConsumer | undefined;
  /** Invariant: `map` / `mapSettled`: per item index, its value or outcome once recorded. */
  readonly #results: OwnList<unknown> = ownList();
  /** Invariant: mappers called and not settled (what `waitForCleanup` waits for). */
  #running = 0;
  /** Invariant: the source's `return()` is pending and `waitForCleanup` waits for it. */
  #closing = false;
  #endValue: unknown;
  #settled = false;
  #controller: AbortController | undefined;
  #signal: AbortSignal | undefined;
  #links: CallLinks | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;

  constructor(
    mode: number,
    mapper: StreamArguments['mapper'],
    settings: StreamSettings,
    consumer: StreamConsumer | undefined,
  ) {
    super(settings, mode === MAP_ITERABLE, mode !== MAP);
    this.#mode = mode;
    this.#mapper = mapper;
    this.#settings = settings;
    this.#consumer = consumer;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** With `waitForCleanup`, ending waits for the started mappers and the source's `return()`. */
  get waitsForCleanup(): boolean {
    return this.#settings.waitForCleanup;
  }

  /**
   * Links the caller's signal and arms the deadline, then opens the source and
   * pulls — a signal already aborted pulls nothing, not even the iterator.
   */
  begin(source: object, method: (this: object) => unknown, asyncIterator: boolean): void {
    this.#links = linkCaller(this, this.#settings);
    if (this.ending !== GOING_ON) return;
    this.open(source, method, asyncIterator);
    this.pump();
  }

  /**
   * Results are written by index into a list already this long (a write past the end
   * grows it, at more than twice the cost); it is cut to the items pulled at the end.
   */
  protected expect(count: number): void {
    if (this.#mode !== MAP_ITERABLE && count >>> 0 === count) this.#results.length = count;
  }

  /**
   * Calls the mapper for `item` with the call's signal. Returns the promise to
   * await for it, or `undefined` when its outcome is already recorded or the
   * stream has ended and it is not called.
   */
  protected start(item: Item): Promise<unknown> | undefined {
    if (item.state !== PULLED || this.ending !== GOING_ON) return undefined;
    item.state = RUNNING;
    this.#running++;
    const value = item.value;
    item.value = undefined;
    let result: unknown;
    let promise: Promise<unknown> | undefined;
    try {
      result = this.#mapper(value, this.#signal ?? this.#makeSignal(), item.index);
      promise = promiseFor(result);
    } catch (error) {
      this.settleItem(item, false, error, true);
      return undefined;
    }
    if (promise === undefined) this.settleItem(item, true, result, true);
    return promise;
  }

  /** An item's outcome: its mapper settled, or (not `started`) it failed before its mapper ran. */
  settleItem(item: Item, fulfilled: boolean, outcome: unknown, started: boolean): void {
    if (started) this.#running--;
    if (item.state === DONE || item.state === FINISHED) {
      this.#settleIfClean();
      return;
    }
    if (this.ending !== GOING_ON) {
      // Ended: only `mapSettled`'s running mappers with waitForCleanup keep their own outcome.
      if (this.#mode === MAP_SETTLED && item.state === RUNNING) {
        this.#results[item.index] = outcomeOf(fulfilled, outcome);
      }
      item.state = DONE;
      unlistItem(item);
      this.#settleIfClean();
      return;
    }
    this.unsettled--;
    if (this.#mode === MAP_ITERABLE && fulfilled) {
      deliver(
        this.items,
        item,
        outcome,
        this.#consumer as StreamConsumer,
        this.#settings.completionOrder,
      );
    } else {
      item.state = DONE;
      unlistItem(item);
      if (this.#mode === MAP_SETTLED) this.#results[item.index] = outcomeOf(fulfilled, outcome);
      else if (fulfilled) this.#results[item.index] = outcome;
      else {
        this.end(FAILED, outcome, outcome, false, item.index);
        return;
      }
      if (started) this.recycle(item);
    }
    this.pump();
  }

  /** An error no item owns (the source's iterator method threw, or its `next()`): the stream fails with it. */
  crash(error: unknown): void {
    if (this.ending === GOING_ON) this.end(FAILED, error, error, false, this.pulled);
  }

  /**
   * The caller's signal aborted or the deadline passed: the mappers see that reason,
   * the same object. `mapSettled` resolves with what it has — each open item reads
   * the reason, or, with `waitForCleanup`, a running mapper its own outcome.
   */
  followAbort(reason: unknown): void {
    if (this.ending !== GOING_ON) return;
    if (this.#mode !== MAP_SETTLED) {
      this.end(FAILED, reason, reason, true, this.pulled);
      return;
    }
    const waits = this.#settings.waitForCleanup;
    const items = this.items;
    for (let item = items.next; item !== items; item = item.next) {
      if (item.state === RUNNING && waits) continue;
      item.state = DONE;
      this.#results[item.index] = { status: 'rejected', reason };
    }
    this.end(COMPLETE, undefined, reason, true, this.pulled);
  }

  /** `mapIterable`'s loop was left: the mappers are aborted, no failure caused it. */
  leave(): void {
    if (this.ending === GOING_ON) this.end(LEFT, undefined, undefined, false, 0);
  }

  /** The source is done and every item's outcome recorded. */
  protected complete(): void {
    this.ending = COMPLETE;
    this.#links?.release();
    this.#settle();
  }

  /**
   * The one way a stream ends early. How it settles is recorded first, so abort
   * listeners that re-enter cannot change it; then the link and the timer go, what
   * was finished before `position` is still delivered, the mappers' signal aborts,
   * and the source is closed (at once, even with a `next()` in flight).
   */
  end(ending: number, value: unknown, cause: unknown, passOn: boolean, position: number): void {
    this.ending = ending;
    this.#endValue = value;
    this.#links?.release();
    if (this.#mode === MAP_ITERABLE && ending === FAILED && !this.#settings.completionOrder) {
      deliverFinished(this.items, this.#consumer as StreamConsumer, position);
    }
    this.#controller?.abort(passOn && cause !== undefined ? cause : createAbortError(cause));
    const closed = this.close();
    if (!this.#settings.waitForCleanup) {
      this.#settle();
      return;
    }
    if (closed !== undefined) {
      this.#closing = true;
      const closedNow = (): void => {
        this.#closing = false;
        this.#settleIfClean();
      };
      nativeThen.call(closed, closedNow, closedNow);
    }
    this.#settleIfClean();
  }

  #settleIfClean(): void {
    if (this.ending !== GOING_ON && this.#running === 0 && !this.#closing) this.#settle();
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    const consumer = this.#consumer;
    if (consumer !== undefined) {
      consumer.over(this.ending === FAILED, this.#endValue);
      this.#resolve(undefined);
      return;
    }
    if (this.ending === FAILED) {
      this.#reject(this.#endValue);
      return;
    }
    const results = this.#results;
    results.length = this.pulled;
    this.#resolve(listAsArray(results));
  }

  /** The signal handed to every mapper, made on first use. */
  #makeSignal(): AbortSignal {
    this.#controller = ownController();
    this.#signal = this.#controller.signal;
    return this.#signal;
  }
}
