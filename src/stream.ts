import { createAbortError } from './abort-errors';
import { createLimiter, type LimiterHost, type StartLimiter } from './limits/limiter';
import { type CallLinks, linkCaller } from './links';
import { liftListenerCap } from './listener-cap';
import type { Settings } from './options';
import { keptLists, listAsArray, type OwnList, ownList } from './own-list';
import { absorbRejection, nativeThen, promiseFor } from './promises';
import { Queue } from './queue';
import type { AbortFollower } from './signal-link';
import { readStreamArguments } from './stream-arguments';

/** What a stream does with its outcomes: `map`, `mapSettled` or `mapIterable`. */
export const MAP = 0;
export const MAP_SETTLED = 1;
export const MAP_ITERABLE = 2;

/** An item pulled and not yet settled: a sync thenable being awaited, or waiting for the limiter. */
const PULLED = 0;
/** Its mapper has been called and has not settled. */
const RUNNING = 1;
/** `mapIterable` in input order: its result waits for the results before it. */
const FINISHED = 2;
/** Its outcome is recorded (or fixed by an abort): what it settles with later is ignored. */
const DONE = 3;

/** How an ended stream settles: not yet, with its results, or with `#endValue` as the rejection. */
const GOING_ON = 0;
const COMPLETE = 1;
const FAILED = 2;
const LEFT = 3;

type Mapper = (item: unknown, signal: AbortSignal, index: number) => unknown;

/**
 * One item of the source, from its pull until its outcome is recorded. A class,
 * not an object literal: its hidden class is reached from the constructor and kept
 * alive by the idle streams' items, so a full collection does not rebuild it.
 */
class Item {
  readonly index: number;
  /** The item until its mapper is called, then its outcome. */
  value: unknown;
  state = PULLED;
  /** The live list (pull order): the item pulled before this one and still listed. */
  previous: Item | undefined;
  next: Item | undefined = undefined;

  constructor(index: number, value: unknown, previous: Item | undefined) {
    this.index = index;
    this.value = value;
    this.previous = previous;
  }
}

/** Options of a stream, checked: `gather`'s, plus `mapIterable`'s order and buffer. */
export interface StreamSettings extends Settings {
  readonly completionOrder: boolean;
  readonly buffer: number;
}

/** Where a `mapIterable` stream hands its results and its end. */
export interface StreamConsumer {
  /** A result, in the chosen order; the consumer takes it now or buffers it. */
  offer(value: unknown): void;
  /** Nothing more will be offered: then reject once with `reason` if `fails`, then done. */
  over(fails: boolean, reason: unknown): void;
}

/**
 * The pulled intake: a source read one `next()` at a time, each item mapped with
 * the call's signal, while fewer than `concurrency` items are pulled and unsettled
 * (and, for `mapIterable`, fewer than `buffer` are not yet taken). What a run does
 * for slots known up front, this does for slots that arrive: the same caller link
 * and deadline (links.ts), the same shared limiter (limits/), the same abort
 * errors and listener cap — but slots are kept only while in flight, so an endless
 * source holds bounded memory.
 *
 * Path of one item: {@link pump} pulls it → {@link accept} counts it (a sync
 * thenable is awaited first) → {@link call} calls the mapper (at once, or when the
 * shared limiter calls its wrapper) → {@link settleItem} records the outcome and
 * pumps again. The stream ends once ({@link end} or {@link complete}), closes the
 * source once, and settles once ({@link settle}).
 */
export class Stream implements AbortFollower, LimiterHost<Item> {
  readonly promise: Promise<unknown>;
  readonly #mode: number;
  readonly #mapper: Mapper;
  readonly #settings: StreamSettings;
  /** The settings the hot path reads, copied: per-call settings objects have maps of their own. */
  readonly #concurrency: number;
  readonly #buffer: number;
  readonly #completionOrder: boolean;
  readonly #consumer: StreamConsumer | undefined;
  #iterator: object | undefined = undefined;
  #next: ((this: object) => unknown) | undefined = undefined;
  #async = false;
  /**
   * Invariant: the live list, in pull order — every item pulled and not yet DONE
   * (in input order, FINISHED ones not yet delivered); an item leaves it when it
   * becomes DONE, once. An intrusive list, not a `Map` by index: linking and
   * unlinking is a few field writes, and in input order the head is the next result.
   * After the stream ended, items made DONE by the end may stay listed.
   */
  #first: Item | undefined = undefined;
  #last: Item | undefined = undefined;
  /** Invariant: `map` / `mapSettled`: per item index, its value or outcome once recorded. */
  readonly #results: OwnList<unknown> = ownList();
  /** Invariant: items pulled so far; the next item's index. */
  #pulled = 0;
  /** Invariant: items pulled whose outcome is not recorded (held against `concurrency`). */
  #unsettled = 0;
  /** Invariant: mappers called and not settled (what `waitForCleanup` waits for). */
  #running = 0;
  /** Invariant: `mapIterable`: items pulled and not yet taken by the consumer (held against `buffer`). */
  #undelivered = 0;
  /** Invariant: items handed to a shared limiter whose wrapper it has not called yet. */
  #handed = 0;
  /** Invariant: `mapIterable` in input order: the index of the next result to deliver. */
  #nextToDeliver = 0;
  /** Invariant: a `next()` of an async source is in flight; never two at once. */
  #pulling = false;
  #pumping = false;
  /** Invariant: the source may still be pulled or closed: false once done, failed or closed. */
  #sourceOpen = true;
  #sourceDone = false;
  /** Invariant: the source's `return()` is pending and `waitForCleanup` waits for it. */
  #closing = false;
  #ending = GOING_ON;
  #endValue: unknown = undefined;
  #settled = false;
  #controller: AbortController | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;
  #links: CallLinks | undefined = undefined;
  #limiter: StartLimiter | undefined = undefined;
  readonly #waiting = new Queue<Item>();
  #resolve!: (value: unknown) => void;
  #reject!: (reason: unknown) => void;

  constructor(
    mode: number,
    mapper: Mapper,
    settings: StreamSettings,
    consumer: StreamConsumer | undefined,
  ) {
    this.#mode = mode;
    this.#mapper = mapper;
    this.#settings = settings;
    this.#concurrency = settings.concurrency;
    this.#buffer = settings.buffer;
    this.#completionOrder = settings.completionOrder;
    this.#consumer = consumer;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (idleStreams === undefined) Stream.#keepIdle();
  }

  /**
   * Idle streams kept for the life of the module once a stream has been made: a
   * full collection must not free the hidden classes of `Stream`, of its items and
   * of its settings, and with them the optimised code of every later call
   * (ARCHITECTURE.md, "After a full collection"; call.ts keeps idle runs the same
   * way). One per shape of settings (no options, options given) with and without
   * a consumer; each lists one idle item. They hold nothing of any call.
   */
  static #keepIdle(): void {
    const idle = ownList<unknown>();
    idleStreams = idle;
    for (const options of [undefined, { concurrency: 1 }]) {
      for (const consumer of [undefined, idleConsumer]) {
        const iterable = consumer !== undefined;
        const { settings } = readStreamArguments([], idleMapper, options, iterable);
        const stream = new Stream(iterable ? MAP_ITERABLE : MAP, idleMapper, settings, consumer);
        // Ended first: an item accepted now is listed, never dispatched.
        stream.#ending = LEFT;
        stream.#accept(stream);
        stream.#accept(0);
        idle[idle.length] = stream;
      }
    }
    idle[idle.length] = keptLists;
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
    if (this.#ending !== GOING_ON) return;
    const iterator: unknown = method.call(source);
    if (typeof iterator !== 'object' || iterator === null) {
      throw new TypeError('Expected the iterator of `source` to be an object');
    }
    const next: unknown = (iterator as { next?: unknown }).next;
    if (typeof next !== 'function') {
      throw new TypeError('Expected the iterator of `source` to have a next() method');
    }
    this.#iterator = iterator;
    this.#next = next as (this: object) => unknown;
    this.#async = asyncIterator;
    if (this.#settings.limit !== undefined) {
      this.#limiter = createLimiter(this.#settings, this, Number.POSITIVE_INFINITY);
    }
    this.pump();
  }

  /**
   * Pulls while the bound allows — by a loop, never recursion: a mapper that settles
   * as it returns pumps again from inside, which only asks this loop to go on.
   */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#mayPull()) {
        if (this.#async) this.#pullAsync();
        else this.#pullSync();
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#sourceDone && this.#unsettled === 0 && this.#ending === GOING_ON) this.complete();
  }

  #mayPull(): boolean {
    return (
      this.#ending === GOING_ON &&
      this.#sourceOpen &&
      !this.#pulling &&
      this.#unsettled < this.#concurrency &&
      this.#undelivered < this.#buffer &&
      this.#handed === 0
    );
  }

  #pullSync(): void {
    let step: unknown;
    try {
      step = (this.#next as (this: object) => unknown).call(this.#iterator as object);
    } catch (error) {
      this.#sourceFailed(error);
      return;
    }
    this.#step(step);
  }

  #pullAsync(): void {
    this.#pulling = true;
    let promise: Promise<unknown> | undefined;
    try {
      const step = (this.#next as (this: object) => unknown).call(this.#iterator as object);
      promise = promiseFor(step);
      if (promise === undefined) {
        this.#pulling = false;
        this.#step(step);
        return;
      }
    } catch (error) {
      this.#pulling = false;
      this.#sourceFailed(error);
      return;
    }
    nativeThen.call(
      promise,
      (step) => {
        this.#pulling = false;
        // A step that arrives after the stream ended is dropped (the source was closed).
        if (this.#ending !== GOING_ON) return;
        this.#step(step);
        this.pump();
      },
      (error) => {
        this.#pulling = false;
        if (this.#ending === GOING_ON) this.#sourceFailed(error);
      },
    );
  }

  #step(step: unknown): void {
    if (typeof step !== 'object' || step === null) {
      this.#sourceFailed(new TypeError('Expected the iterator of `source` to return objects'));
      return;
    }
    if ((step as IteratorResult<unknown>).done) {
      this.#sourceOpen = false;
      this.#sourceDone = true;
      return;
    }
    this.#accept((step as IteratorResult<unknown>).value);
  }

  /** An item is pulled: it holds a place from now until its outcome is recorded. */
  #accept(value: unknown): void {
    const last = this.#last;
    const item = new Item(this.#pulled++, value, last);
    if (last === undefined) this.#first = item;
    else last.next = item;
    this.#last = item;
    this.#unsettled++;
    if (this.#mode === MAP_ITERABLE) this.#undelivered++;
    if (!this.#async) {
      // Only a sync source's thenable items are awaited, as `for await` does.
      let promise: Promise<unknown> | undefined;
      try {
        promise = promiseFor(value);
      } catch (error) {
        this.settleItem(item, false, error, false);
        return;
      }
      if (promise !== undefined) {
        nativeThen.call(
          promise,
          (resolved) => {
            item.value = resolved;
            this.#dispatch(item);
          },
          (reason) => this.settleItem(item, false, reason, false),
        );
        return;
      }
    }
    this.#dispatch(item);
  }

  #dispatch(item: Item): void {
    if (item.state !== PULLED || this.#ending !== GOING_ON) return;
    if (this.#limiter === undefined) {
      const promise = this.call(item);
      if (promise !== undefined) void this.#awaitMapper(item, promise);
      return;
    }
    this.#handed++;
    this.#waiting.push(item);
    this.#limiter.enqueue();
  }

  /** For the shared limiter: the oldest item waiting for it. */
  next(): Item | undefined {
    return this.#waiting.shift();
  }

  /**
   * Calls the mapper for `item` with the call's signal. Returns the promise to
   * await for it, or `undefined` when its outcome is already recorded or the
   * stream has ended and it is not called.
   */
  call(item: Item): Promise<unknown> | undefined {
    if (this.#limiter !== undefined) {
      this.#handed--;
      // The limiter took the previous item: the next may be pulled.
      if (this.#ending === GOING_ON) this.pump();
    }
    if (item.state !== PULLED || this.#ending !== GOING_ON) return undefined;
    item.state = RUNNING;
    this.#running++;
    const value = item.value;
    item.value = undefined;
    let result: unknown;
    try {
      result = this.#mapper(value, this.#signal ?? this.#makeSignal(), item.index);
    } catch (error) {
      this.settleItem(item, false, error, true);
      return undefined;
    }
    let promise: Promise<unknown> | undefined;
    try {
      promise = promiseFor(result);
    } catch (error) {
      this.settleItem(item, false, error, true);
      return undefined;
    }
    if (promise === undefined) this.settleItem(item, true, result, true);
    return promise;
  }

  /** For the shared limiter: the promise a started mapper returned has settled. */
  settled(item: Item, fulfilled: boolean, outcome: unknown): void {
    this.settleItem(item, fulfilled, outcome, true);
  }

  async #awaitMapper(item: Item, promise: Promise<unknown>): Promise<void> {
    let value: unknown;
    try {
      value = await promise;
    } catch (reason) {
      this.settleItem(item, false, reason, true);
      return;
    }
    this.settleItem(item, true, value, true);
  }

  /** The shared limiter refused the item before calling its wrapper: it fails so. */
  refuse(item: Item, error: unknown): void {
    this.#handed--;
    this.settleItem(item, false, error, false);
  }

  /** An item's outcome: its mapper settled, or (not `started`) its sync thenable rejected. */
  settleItem(item: Item, fulfilled: boolean, outcome: unknown, started: boolean): void {
    if (started) this.#running--;
    if (item.state === DONE || item.state === FINISHED) {
      this.#settleIfClean();
      return;
    }
    if (this.#ending !== GOING_ON) {
      // Ended: only `mapSettled`'s running mappers with waitForCleanup keep their own outcome.
      if (this.#mode === MAP_SETTLED && item.state === RUNNING) {
        this.#results[item.index] = outcomeOf(fulfilled, outcome);
      }
      item.state = DONE;
      this.#unlink(item);
      this.#settleIfClean();
      return;
    }
    this.#unsettled--;
    if (this.#mode === MAP_SETTLED) {
      item.state = DONE;
      this.#unlink(item);
      this.#results[item.index] = outcomeOf(fulfilled, outcome);
    } else if (!fulfilled) {
      item.state = DONE;
      this.#unlink(item);
      this.end(FAILED, outcome, outcome, false, item.index);
      return;
    } else if (this.#mode === MAP) {
      item.state = DONE;
      this.#unlink(item);
      this.#results[item.index] = outcome;
    } else this.#finished(item, outcome);
    this.pump();
  }

  /** An error no item owns (the source's iterator method threw): the stream fails with it. */
  crash(error: unknown): void {
    if (this.#ending === GOING_ON) this.end(FAILED, error, error, false, this.#pulled);
  }

  /** Takes `item` off the live list: once, as it becomes DONE. */
  #unlink(item: Item): void {
    const { previous, next } = item;
    if (previous === undefined) this.#first = next;
    else previous.next = next;
    if (next === undefined) this.#last = previous;
    else next.previous = previous;
    item.previous = undefined;
    item.next = undefined;
  }

  /** `mapIterable`: a result is ready to be delivered, in the chosen order. */
  #finished(item: Item, value: unknown): void {
    const consumer = this.#consumer as StreamConsumer;
    if (this.#completionOrder) {
      item.state = DONE;
      this.#unlink(item);
      consumer.offer(value);
      return;
    }
    item.state = FINISHED;
    item.value = value;
    this.#deliverHead();
  }

  /** Input order: hands on the finished results at the head, until one still runs. */
  #deliverHead(): void {
    const consumer = this.#consumer as StreamConsumer;
    for (;;) {
      const head = this.#first;
      if (head === undefined || head.index !== this.#nextToDeliver || head.state !== FINISHED) {
        return;
      }
      this.#unlink(head);
      head.state = DONE;
      this.#nextToDeliver++;
      const value = head.value;
      head.value = undefined;
      consumer.offer(value);
    }
  }

  /**
   * Input order, at a failure: every result finished before `position` is still
   * delivered, in order; an item still running there was aborted and is skipped —
   * no result, no gap marker.
   */
  #deliverFinished(position: number): void {
    const consumer = this.#consumer as StreamConsumer;
    let next: Item | undefined;
    for (let item = this.#first; item !== undefined && item.index < position; item = next) {
      next = item.next;
      if (item.state !== FINISHED) continue;
      this.#unlink(item);
      item.state = DONE;
      consumer.offer(item.value);
      item.value = undefined;
    }
    this.#nextToDeliver = position;
  }

  /** `mapIterable`'s consumer took a result: there is room for one more. */
  taken(): void {
    this.#undelivered--;
    this.pump();
  }

  /** `next()` threw or rejected, or returned a non-object: the source is not closed. */
  #sourceFailed(error: unknown): void {
    this.#sourceOpen = false;
    this.end(FAILED, error, error, false, this.#pulled);
  }

  /**
   * The caller's signal aborted or the deadline passed: the mappers see that reason,
   * the same object. `mapSettled` resolves with what it has — each open item reads
   * the reason, or, with `waitForCleanup`, a running mapper its own outcome.
   */
  followAbort(reason: unknown): void {
    if (this.#ending !== GOING_ON) return;
    if (this.#mode !== MAP_SETTLED) {
      this.end(FAILED, reason, reason, true, this.#pulled);
      return;
    }
    const waits = this.#settings.waitForCleanup;
    for (let item = this.#first; item !== undefined; item = item.next) {
      if (item.state === RUNNING && waits) continue;
      item.state = DONE;
      this.#results[item.index] = { status: 'rejected', reason };
    }
    this.end(COMPLETE, undefined, reason, true, this.#pulled);
  }

  /** `mapIterable`'s loop was left: the mappers are aborted, no failure caused it. */
  leave(): void {
    if (this.#ending === GOING_ON) this.end(LEFT, undefined, undefined, false, 0);
  }

  /** The source is done and every item's outcome recorded. */
  complete(): void {
    this.#ending = COMPLETE;
    this.#links?.release();
    this.#settle();
  }

  /**
   * The one way a stream ends early. How it settles is recorded first, so abort
   * listeners that re-enter cannot change it; then the link and the timer go, the
   * mappers' signal aborts, the source is closed (at once, even with a `next()` in
   * flight), and what was finished before `position` is still delivered.
   */
  end(ending: number, value: unknown, cause: unknown, passOn: boolean, position: number): void {
    this.#ending = ending;
    this.#endValue = value;
    this.#links?.release();
    if (this.#mode === MAP_ITERABLE && ending === FAILED && !this.#settings.completionOrder) {
      this.#deliverFinished(position);
    }
    this.#dropPending();
    this.#controller?.abort(passOn && cause !== undefined ? cause : createAbortError(cause));
    this.#closeSource();
    if (!this.#settings.waitForCleanup) this.#settle();
    else this.#settleIfClean();
  }

  /** Items pulled but never started are let go; their promises need no handler of ours. */
  #dropPending(): void {
    while (this.#waiting.shift() !== undefined) {}
    for (let item = this.#first; item !== undefined; item = item.next) {
      if (item.state !== RUNNING) {
        item.state = DONE;
        item.value = undefined;
      }
    }
  }

  /** Calls the source's `return()` once, unless the source itself threw or was done. */
  #closeSource(): void {
    if (!this.#sourceOpen) return;
    this.#sourceOpen = false;
    const iterator = this.#iterator as { return?: unknown } | undefined;
    if (iterator === undefined) return;
    let closed: unknown;
    try {
      const close = iterator.return;
      if (typeof close !== 'function') return;
      closed = close.call(iterator);
    } catch {
      // What `return()` throws is absorbed: the stream has its own outcome.
      return;
    }
    let promise: Promise<unknown> | undefined;
    try {
      promise = promiseFor(closed);
    } catch {
      return;
    }
    if (promise === undefined) return;
    absorbRejection(promise);
    if (!this.#settings.waitForCleanup) return;
    this.#closing = true;
    const closedNow = (): void => {
      this.#closing = false;
      this.#settleIfClean();
    };
    nativeThen.call(promise, closedNow, closedNow);
  }

  #settleIfClean(): void {
    if (this.#ending !== GOING_ON && this.#running === 0 && !this.#closing) this.#settle();
  }

  #settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    const ending = this.#ending;
    const consumer = this.#consumer;
    if (consumer !== undefined) {
      consumer.over(ending === FAILED, this.#endValue);
      this.#resolve(undefined);
      return;
    }
    if (ending === FAILED) {
      this.#reject(this.#endValue);
      return;
    }
    const results = this.#results;
    results.length = this.#pulled;
    this.#resolve(listAsArray(results));
  }

  /** The signal handed to every mapper, made on first use. */
  #makeSignal(): AbortSignal {
    this.#controller = new AbortController();
    this.#signal = this.#controller.signal;
    liftListenerCap(this.#signal);
    return this.#signal;
  }
}

function outcomeOf(fulfilled: boolean, outcome: unknown): PromiseSettledResult<unknown> {
  return fulfilled
    ? { status: 'fulfilled', value: outcome }
    : { status: 'rejected', reason: outcome };
}

let idleStreams: OwnList<unknown> | undefined;

function idleMapper(): void {}

const idleConsumer: StreamConsumer = { offer: idleMapper, over: idleMapper };
