import type { LimiterHost, StartLimiter } from './limits/limiter';
import { SharedLimit } from './limits/shared-limit';
import type { Settings } from './options';
import { nativeThen, promiseFor } from './promises';
import { Queue } from './queue';
import { DONE, Item, itemList, listItem, PULLED, RUNNING } from './stream-item';
import { closeSource, type NextMethod, openSource } from './stream-source';

/** `ending` while the stream goes on (the intake may pull); {@link Stream} names the others. */
export const GOING_ON = 0;

/**
 * The pulled intake of a stream: reads the source one `next()` at a time while
 * the bound allows — fewer than `concurrency` items pulled and unsettled, and, for
 * `mapIterable`, fewer than `buffer` not yet taken — lists each item, and starts
 * its mapper at once or when the shared limiter calls its wrapper. What the start
 * loop of a run does for slots known up front, this does for slots that arrive.
 *
 * {@link Stream} builds on it: the intake decides when an item is pulled and
 * started; the stream what its outcome means, and how the stream ends.
 */
export abstract class StreamIntake implements LimiterHost<Item> {
  readonly #concurrency: number;
  readonly #buffer: number;
  /** `mapIterable`: items are held against `buffer` until the consumer takes them. */
  readonly #counted: boolean;
  /** Invariant: set before anything is pulled; `undefined` when no shared limiter is given. */
  readonly #limiter: StartLimiter | undefined;
  readonly #waiting = new Queue<Item>();
  #iterator: object | undefined = undefined;
  #next: NextMethod | undefined = undefined;
  #async = false;
  /**
   * Invariant: the live list, in pull order — every item pulled and not yet DONE
   * (in input order, FINISHED ones not yet delivered); an item leaves it when it
   * becomes DONE, once. After the stream ended, items made DONE by the end may
   * stay listed.
   */
  protected readonly items: Item = itemList();
  /** Invariant: items pulled so far; the next item's index. */
  protected pulled = 0;
  /** Invariant: items pulled whose outcome is not recorded (held against `concurrency`). */
  protected unsettled = 0;
  /** Invariant: `mapIterable`: items pulled and not yet taken by the consumer (held against `buffer`). */
  #undelivered = 0;
  /** Invariant: items handed to the shared limiter whose wrapper it has not called yet. */
  #handed = 0;
  /** Invariant: a `next()` of an async source is in flight; never two at once. */
  #pulling = false;
  /** Invariant: the pump's loop runs: a pump from inside it only lets the loop go on. */
  #pumping = false;
  /** Invariant: the source may still be pulled or closed: false once done, failed or closed. */
  #sourceOpen = true;
  #sourceDone = false;
  /** Invariant: GOING_ON until the stream ends; then how it settles, set once. */
  protected ending = GOING_ON;

  constructor(settings: Settings & { readonly buffer: number }, counted: boolean) {
    this.#concurrency = settings.concurrency;
    this.#buffer = settings.buffer;
    this.#counted = counted;
    const limit = settings.limit;
    this.#limiter = limit === undefined ? undefined : new SharedLimit(limit, this);
  }

  // What the stream does with an item the intake started, and how it ends (stream.ts).
  protected abstract start(item: Item): Promise<unknown> | undefined;
  abstract settleItem(item: Item, fulfilled: boolean, outcome: unknown, started: boolean): void;
  abstract crash(error: unknown): void;
  protected abstract complete(): void;

  /** Opens the source and pulls. */
  protected open(source: object, method: (this: object) => unknown, asyncIterator: boolean): void {
    [this.#iterator, this.#next] = openSource(source, method);
    this.#async = asyncIterator;
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
        if (this.#async) {
          this.#pullAsync();
          continue;
        }
        let step: unknown;
        try {
          step = (this.#next as NextMethod).call(this.#iterator as object);
        } catch (error) {
          this.#sourceFailed(error);
          continue;
        }
        this.#step(step);
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#sourceDone && this.unsettled === 0 && this.ending === GOING_ON) this.complete();
  }

  #mayPull(): boolean {
    return (
      this.ending === GOING_ON &&
      this.#sourceOpen &&
      !this.#pulling &&
      this.unsettled < this.#concurrency &&
      this.#undelivered < this.#buffer &&
      this.#handed === 0
    );
  }

  #pullAsync(): void {
    this.#pulling = true;
    let promise: Promise<unknown> | undefined;
    try {
      const step = (this.#next as NextMethod).call(this.#iterator as object);
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
        if (this.ending !== GOING_ON) return;
        this.#step(step);
        this.pump();
      },
      (error) => {
        this.#pulling = false;
        this.#sourceFailed(error);
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

  /** `next()` threw or rejected, or returned a non-object: the source is not closed. */
  #sourceFailed(error: unknown): void {
    this.#sourceOpen = false;
    this.crash(error);
  }

  /** An item is pulled: it holds a place from now until its outcome is recorded. */
  #accept(value: unknown): void {
    const item = new Item(this.pulled++, value);
    listItem(this.items, item);
    this.unsettled++;
    if (this.#counted) this.#undelivered++;
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
    if (item.state !== PULLED || this.ending !== GOING_ON) return;
    if (this.#limiter === undefined) {
      const promise = this.start(item);
      if (promise !== undefined) void this.#awaitMapper(item, promise);
      return;
    }
    this.#handed++;
    this.#waiting.push(item);
    this.#limiter.enqueue();
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

  /** For the shared limiter: the oldest item waiting for it. */
  next(): Item | undefined {
    return this.#waiting.shift();
  }

  /** For the shared limiter, which calls the item's wrapper: see {@link LimiterHost.call}. */
  call(item: Item): Promise<unknown> | undefined {
    this.#handed--;
    // The limiter took the previous item: the next may be pulled.
    if (this.ending === GOING_ON) this.pump();
    return this.start(item);
  }

  /** For the shared limiter: the promise a started mapper returned has settled. */
  settled(item: Item, fulfilled: boolean, outcome: unknown): void {
    this.settleItem(item, fulfilled, outcome, true);
  }

  /** The shared limiter refused the item before calling its wrapper: it fails so. */
  refuse(item: Item, error: unknown): void {
    this.#handed--;
    this.settleItem(item, false, error, false);
  }

  /** `mapIterable`'s consumer took a result: there is room for one more. */
  taken(): void {
    this.#undelivered--;
    this.pump();
  }

  /**
   * The stream ended: items pulled but never started are let go (their promises
   * need no handler of ours), and the source is closed — its `return()` called
   * once, at once, even with a `next()` in flight, unless the source itself threw
   * or was done. Returns the promise `return()` gave, if any.
   */
  protected close(): Promise<unknown> | undefined {
    while (this.#waiting.shift() !== undefined) {}
    const items = this.items;
    for (let item = items.next; item !== items; item = item.next) {
      if (item.state === RUNNING) continue;
      item.state = DONE;
      item.value = undefined;
    }
    if (!this.#sourceOpen) return undefined;
    this.#sourceOpen = false;
    const iterator = this.#iterator;
    return iterator === undefined ? undefined : closeSource(iterator);
  }
}
