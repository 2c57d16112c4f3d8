import type { LimiterHost, StartLimiter } from './limits/limiter';
import { SharedLimit } from './limits/shared-limit';
import { nativeThen, promiseFor } from './promises';
import { Queue } from './queue';
import type { StreamSettings } from './stream-arguments';
import { DONE, Item, itemList, listItem, PULLED, RUNNING } from './stream-item';
import { StreamSource } from './stream-source';

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
export abstract class StreamIntake extends StreamSource implements LimiterHost<Item> {
  readonly #concurrency: number;
  readonly #buffer: number;
  /** `mapIterable`: items are held against `buffer` until the consumer takes them. */
  readonly #counted: boolean;
  /** `mapSettled` and `mapIterable` read the live list `items`; `map` does not. */
  readonly #listed: boolean;
  /** Invariant: set before anything is pulled; `undefined` when no shared limiter is given. */
  readonly #limiter: StartLimiter | undefined;
  readonly #waiting = new Queue<Item>();
  /**
   * Invariant: the live list, in pull order — every item pulled and not yet DONE
   * (in input order, FINISHED ones not yet delivered); an item leaves it when it
   * becomes DONE, once. After the stream ended, items made DONE by the end may
   * stay listed. Empty for `map` (not `#listed`): nothing reads it there — an item
   * not started when the stream ends is turned away by `ending` when its thenable
   * or the shared limiter comes back, and linking each item cost about 5% of a
   * `map` over an array.
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
  /** Invariant: the pump's loop runs: a pump from inside it only lets the loop go on. */
  #pumping = false;
  /**
   * Invariant: a lane is recording an outcome and will await the next mapper
   * started, which is left in `#laneItem` / `#lanePromise` (then this is false).
   */
  #laneFree = false;
  #laneItem: Item | undefined;
  #lanePromise: Promise<unknown> | undefined;
  /**
   * Invariant: an item made DONE by its own outcome that nothing refers to any more
   * (no shared limiter holds it), to be the next one pulled: a stream of n items
   * then makes about `concurrency` of them, not n.
   */
  #spare: Item | undefined;
  /** Invariant: GOING_ON until the stream ends; then how it settles, set once. */
  protected ending = GOING_ON;

  constructor(settings: StreamSettings, counted: boolean, listed: boolean) {
    super();
    this.#concurrency = settings.concurrency;
    this.#buffer = settings.buffer;
    this.#counted = counted;
    this.#listed = listed;
    const limit = settings.limit;
    this.#limiter = limit === undefined ? undefined : new SharedLimit(limit, this);
  }

  // What the stream does with an item the intake started, and how it ends (stream.ts).
  protected abstract start(item: Item): Promise<unknown> | undefined;
  abstract settleItem(item: Item, fulfilled: boolean, outcome: unknown, started: boolean): void;
  protected abstract complete(): void;

  /**
   * Pulls while the bound allows — by a loop, never recursion: a mapper that settles
   * as it returns pumps again from inside, which only asks this loop to go on.
   */
  pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#mayPull() && this.pull()) {}
    } finally {
      this.#pumping = false;
    }
    if (this.sourceDone && this.unsettled === 0 && this.ending === GOING_ON) this.complete();
  }

  #mayPull(): boolean {
    return (
      this.ending === GOING_ON &&
      this.unsettled < this.#concurrency &&
      this.#undelivered < this.#buffer &&
      this.#handed === 0
    );
  }

  /** An item is pulled: it holds a place from now until its outcome is recorded. */
  protected accept(value: unknown, sync: boolean): void {
    let item = this.#spare;
    if (item === undefined) item = new Item(this.pulled++, value);
    else {
      this.#spare = undefined;
      item.index = this.pulled++;
      item.value = value;
      item.state = PULLED;
    }
    if (this.#listed) listItem(this.items, item);
    this.unsettled++;
    if (this.#counted) this.#undelivered++;
    if (sync) {
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
      if (promise === undefined) return;
      if (this.#laneFree) {
        this.#laneFree = false;
        this.#laneItem = item;
        this.#lanePromise = promise;
      } else void this.#lane(item, promise);
      return;
    }
    this.#handed++;
    this.#waiting.push(item);
    this.#limiter.enqueue();
  }

  /**
   * Awaits a started mapper and records its outcome — then, if recording it
   * started the next item's mapper (the pump pulled into the place it freed),
   * awaits that one in the same loop: a lane per place, as a worker loop has,
   * rather than an async function per item.
   */
  async #lane(first: Item, promise: Promise<unknown>): Promise<void> {
    let item = first;
    let pending = promise;
    for (;;) {
      let fulfilled = true;
      let outcome: unknown;
      try {
        outcome = await pending;
      } catch (reason) {
        fulfilled = false;
        outcome = reason;
      }
      this.#laneFree = true;
      this.settleItem(item, fulfilled, outcome, true);
      if (this.#laneFree) {
        this.#laneFree = false;
        return;
      }
      item = this.#laneItem as Item;
      pending = this.#lanePromise as Promise<unknown>;
      this.#laneItem = undefined;
      this.#lanePromise = undefined;
    }
  }

  /**
   * A started item is DONE and unlisted, and its lane or `start` reads it no more:
   * it may be the next item pulled. A shared limiter may still hold it, so then it is not.
   */
  protected recycle(item: Item): void {
    if (this.#limiter === undefined) this.#spare = item;
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
  protected override close(): Promise<unknown> | undefined {
    while (this.#waiting.shift() !== undefined) {}
    const items = this.items;
    for (let item = items.next; item !== items; item = item.next) {
      if (item.state === RUNNING) continue;
      item.state = DONE;
      item.value = undefined;
    }
    return super.close();
  }
}
