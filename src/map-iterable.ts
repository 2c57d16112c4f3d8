import { startStream } from './map';
import { Queue } from './queue';
import { MAP_ITERABLE, Stream } from './stream';
import type { StreamConsumer } from './stream-delivery';
import { keepIdle } from './stream-idle';
import type { MapIterableIterator, MapIterableOptions, Mapper, SourceItem } from './stream-types';

type Step = IteratorResult<unknown, undefined>;

interface Waiter {
  resolve(step: Step): void;
  reject(reason: unknown): void;
}

const doneStep = (): Step => ({ done: true, value: undefined });

function ignore(): void {}

/**
 * `mapIterable`'s iterator: hands the stream's results to `next()` calls in call
 * order, buffering what nobody has asked for yet. The stream starts at the first
 * `next()`; until then only the arguments are held.
 */
class MapIterable implements StreamConsumer {
  #arguments: [unknown, unknown, unknown] | undefined;
  #stream: Stream | undefined;
  /** Invariant: results offered and not yet taken; a waiter exists only when this is empty. */
  readonly #ready = new Queue<unknown>();
  #readyCount = 0;
  readonly #waiters = new Queue<Waiter>();
  /** Invariant: the stream has settled: after the ready results, one rejection if `#failure` holds one, then done. */
  #over = false;
  #failing = false;
  #failure: unknown;
  /** The loop was left: nothing more is delivered. */
  #left = false;

  constructor(source: unknown, mapper: unknown, options: unknown) {
    this.#arguments = [source, mapper, options];
    defineDispose();
  }

  next(): Promise<Step> {
    if (this.#arguments !== undefined) this.#start(this.#arguments);
    if (this.#readyCount > 0) {
      const value = this.#ready.shift();
      this.#readyCount--;
      this.#stream?.taken();
      return Promise.resolve({ done: false, value });
    }
    if (this.#left) return Promise.resolve(doneStep());
    if (this.#over) {
      if (!this.#failing) return Promise.resolve(doneStep());
      this.#failing = false;
      const failure = this.#failure;
      this.#failure = undefined;
      return Promise.reject(failure);
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorReturnResult<undefined>> {
    this.#arguments = undefined;
    const stream = this.#stream;
    if (!this.#left) {
      this.#left = true;
      while (this.#ready.shift() !== undefined || this.#readyCount > 0) this.#readyCount--;
      this.#readyCount = 0;
      this.#failing = false;
      this.#failure = undefined;
      for (
        let waiter = this.#waiters.shift();
        waiter !== undefined;
        waiter = this.#waiters.shift()
      ) {
        waiter.resolve(doneStep());
      }
      stream?.leave();
    }
    const finished = { done: true as const, value: undefined };
    if (stream === undefined || !stream.waitsForCleanup) return Promise.resolve(finished);
    return stream.promise.then(() => finished);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  offer(value: unknown): void {
    if (this.#left) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#ready.push(value);
      this.#readyCount++;
      return;
    }
    waiter.resolve({ done: false, value });
    this.#stream?.taken();
  }

  over(fails: boolean, reason: unknown): void {
    this.#over = true;
    if (this.#left) return;
    this.#failing = fails;
    this.#failure = reason;
    // Waiters exist only when nothing is ready: the first takes the failure, the rest are done.
    for (let waiter = this.#waiters.shift(); waiter !== undefined; waiter = this.#waiters.shift()) {
      if (this.#failing) {
        this.#failing = false;
        this.#failure = undefined;
        waiter.reject(reason);
      } else waiter.resolve(doneStep());
    }
  }

  /**
   * An iterator that is never started, for the idle streams to keep (see below).
   * It first hands twenty results to waiters whose `resolve` are five different
   * functions. Why: a call site that has only seen one promise's `resolve` has that
   * very function built into its optimised code, and it dies with its promise at
   * the next full collection — discarding `offer` and the stream code that inlined
   * it (`settleItem`, the lanes) at every collection. A site that has seen many
   * functions calls any function, and stays so. (Twenty: V8 records what a function
   * does only after its first few calls.)
   */
  static idle(): MapIterable {
    const idle = new MapIterable(undefined, undefined, undefined);
    idle.#arguments = undefined;
    const resolves: Waiter['resolve'][] = [
      (_step) => {},
      (_step) => {},
      (_step) => {},
      (_step) => {},
      (_step) => {},
    ];
    for (let call = 0; call < 20; call++) {
      idle.#waiters.push({ resolve: resolves[call % 5] as Waiter['resolve'], reject: ignore });
      idle.offer(0);
    }
    return idle;
  }

  #start([source, mapper, options]: [unknown, unknown, unknown]): void {
    this.#arguments = undefined;
    const stream = startStream(MAP_ITERABLE, source, mapper, options, this);
    if (stream instanceof Stream) this.#stream = stream;
    // Bad arguments reject the first next(), after which the iterator is done.
    else this.over(true, stream);
  }
}

/** `[Symbol.asyncDispose]` where the runtime has the symbol, defined at first use. */
let disposeDefined = false;
function defineDispose(): void {
  if (disposeDefined) return;
  disposeDefined = true;
  if (typeof Symbol.asyncDispose !== 'symbol') return;
  Object.defineProperty(MapIterable.prototype, Symbol.asyncDispose, {
    configurable: true,
    writable: true,
    value: function asyncDispose(this: MapIterable): Promise<void> {
      return this.return().then(() => undefined);
    },
  });
}

/**
 * Maps a source lazily into an async iterator of results, with backpressure:
 * an item is pulled only while fewer than `concurrency` mappers run *and* fewer
 * than `buffer` items are not yet taken by the loop — a loop that stops asking
 * stops the pulling. Results come in input order (a finished one waits for the
 * ones before it) or, with `order: 'completion'`, as soon as each is ready.
 * Nothing starts before the first `next()`. Leaving the loop (`break`, a throw,
 * `await using` ending) aborts the running mappers and closes the source.
 *
 * @param source - What to map: any iterable or async iterable.
 * @param mapper - `(item, signal, index) => result`: the second parameter is the signal.
 * @param options - `map`'s, plus `order` and `buffer`.
 * @returns An async iterator of the results, its own async iterable, usable once.
 *
 * @example
 * ```ts
 * async function* lines() { yield 'a'; yield 'b'; yield 'c'; }
 * for await (const length of mapIterable(lines(), async (line) => line.length, { concurrency: 2 })) {
 *   if (length > 10) break; // aborts what still runs, closes the source
 * }
 * ```
 */
export function mapIterable<S extends AsyncIterable<unknown> | Iterable<unknown>, R>(
  source: S,
  mapper: Mapper<SourceItem<S>, R>,
  options?: MapIterableOptions,
): MapIterableIterator<Awaited<R>> {
  if (!idleIterableKept) {
    idleIterableKept = true;
    keepIdle(MapIterable.idle());
  }
  return new MapIterable(source, mapper, options) as unknown as MapIterableIterator<Awaited<R>>;
}

/**
 * One iterator, never started, is kept with the idle streams (stream-idle.ts): its
 * hidden class is reached only through weakly held transitions and must outlive a
 * full collection, or the optimised code that takes results from iterators is
 * discarded at every one (ARCHITECTURE.md, "After a full collection").
 */
let idleIterableKept = false;
