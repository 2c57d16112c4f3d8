import type { GatherOptions } from './option-types';

/**
 * What a stream's mapper receives for a source `S`: an async iterable's items as
 * they are (as `for await` passes them), a sync iterable's items awaited.
 *
 * @example
 * ```ts
 * type A = SourceItem<AsyncIterable<Promise<number>>>; // Promise<number>
 * type B = SourceItem<Iterable<Promise<number>>>; // number
 * ```
 */
export type SourceItem<S> =
  S extends AsyncIterable<infer T> ? T : S extends Iterable<infer T> ? Awaited<T> : never;

/**
 * A stream's mapper: called per item with the call's signal and the item's index
 * in pull order (from 0). Its second parameter is the signal — not the index, as
 * in `p-map`.
 *
 * @example
 * ```ts
 * const mapper: Mapper<string, number> = async (id, signal, index) => index;
 * ```
 */
export type Mapper<T, R> = (item: T, signal: AbortSignal, index: number) => R;

/**
 * Options of `map` and `mapSettled`: those of `gather`. The deadline counts from
 * the call and covers the whole stream.
 *
 * @example
 * ```ts
 * const options: MapOptions = { concurrency: 8, timeout: 60_000 };
 * ```
 */
export type MapOptions = GatherOptions;

/**
 * Options of `mapIterable`: `map`'s, plus the order of results and the buffer.
 *
 * @example
 * ```ts
 * const options: MapIterableOptions = { concurrency: 8, order: 'completion', buffer: 16 };
 * ```
 */
export interface MapIterableOptions extends GatherOptions {
  /**
   * `'input'` (the default): results in pull order, a finished one waiting for the
   * ones before it. `'completion'`: each result as soon as it is ready.
   */
  order?: 'input' | 'completion' | undefined;
  /**
   * Most items pulled and not yet taken by the loop (running, or finished and
   * waiting): a loop that stops asking stops the pulling. An integer ≥ 1 or
   * `Infinity`; default the `concurrency`.
   */
  buffer?: number | undefined;
}

/**
 * The iterator `mapIterable` returns: its own async iterable, used once; leaving
 * the loop (`break`, `return()`, `await using` ending) aborts the running mappers
 * and closes the source.
 *
 * @example
 * ```ts
 * const results: MapIterableIterator<number> = mapIterable([1, 2], (item) => item * 2);
 * const { value } = await results.next();
 * await results.return();
 * ```
 */
export interface MapIterableIterator<R> extends AsyncIterableIterator<R> {
  /** The next result; `{ done: true }` once the stream has ended and every result is taken. */
  next(): Promise<IteratorResult<R, undefined>>;
  /** Leaves the loop: the running mappers are aborted, the source is closed, nothing more is pulled. */
  return(): Promise<IteratorReturnResult<undefined>>;
  /** The iterator itself. */
  [Symbol.asyncIterator](): MapIterableIterator<R>;
  /** As {@link return}: what `await using` calls. Defined where `Symbol.asyncDispose` exists. */
  [Symbol.asyncDispose](): Promise<void>;
}
