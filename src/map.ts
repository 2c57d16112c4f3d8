import { MAP, MAP_SETTLED, Stream } from './stream';
import { readStreamArguments } from './stream-arguments';
import type { StreamConsumer } from './stream-delivery';
import { keepIdleStreams } from './stream-idle';
import type { MapOptions, Mapper, SourceItem } from './stream-types';

/**
 * Makes and begins a stream; every error, bad arguments included, becomes the
 * returned promise's rejection (or the consumer's end): never a synchronous throw.
 */
export function startStream(
  mode: number,
  source: unknown,
  mapper: unknown,
  options: unknown,
  consumer: StreamConsumer | undefined,
): Stream | Error {
  let args: ReturnType<typeof readStreamArguments>;
  try {
    args = readStreamArguments(source, mapper, options, consumer !== undefined);
  } catch (error) {
    return error as Error;
  }
  keepIdleStreams();
  const stream = new Stream(mode, args.mapper, args.settings, consumer);
  try {
    stream.begin(args.source, args.iteratorMethod, args.asyncIterator);
  } catch (error) {
    stream.crash(error);
  }
  return stream;
}

function streamPromise(mode: number, source: unknown, mapper: unknown, options: unknown) {
  const stream = startStream(mode, source, mapper, options, undefined);
  return stream instanceof Stream ? stream.promise : Promise.reject(stream);
}

/**
 * Maps every item of a source — an array, a generator, an async generator, a Node
 * `Readable`, any iterable or async iterable — and resolves with the results in
 * pull order, like `p-map`. The source is read lazily, one `next()` at a time,
 * only while fewer than `concurrency` items are in flight: an endless source holds
 * `concurrency` items, never more. Each mapper gets the call's signal; the first
 * failure (a mapper's, or the source's) rejects at once, aborts the others with an
 * `"AbortError"` caused by it, and closes the source (`return()`), as `for await`
 * does on `break`.
 *
 * @param source - What to map: any iterable or async iterable. A sync source's
 *   promise items are awaited first; an async source's items are passed as they are.
 * @param mapper - `(item, signal, index) => result`: the second parameter is the signal.
 * @param options - As `gather`'s: `concurrency` or `limit`, `signal`, `timeout`,
 *   `waitForCleanup`.
 * @returns The results, in pull order.
 *
 * @example
 * ```ts
 * async function* ids() { yield 1; yield 2; yield 3; }
 * const names = await map(ids(), async (id, signal) => `user ${id}`, { concurrency: 2 });
 * ```
 */
export function map<S extends AsyncIterable<unknown> | Iterable<unknown>, R>(
  source: S,
  mapper: Mapper<SourceItem<S>, R>,
  options?: MapOptions,
): Promise<Awaited<R>[]> {
  return streamPromise(MAP, source, mapper, options) as Promise<Awaited<R>[]>;
}

/**
 * As {@link map}, but every outcome is kept, `{ status, value | reason }` per item
 * in pull order (what `Promise.allSettled` gives), and a mapper's failure aborts
 * nothing. The source failing rejects, after the running mappers are aborted. On
 * the caller's abort or the deadline it resolves with what it has: each item
 * still running reads the abort reason.
 *
 * @param source - What to map: any iterable or async iterable.
 * @param mapper - `(item, signal, index) => result`.
 * @param options - As {@link map}'s.
 * @returns Every outcome, in pull order.
 *
 * @example
 * ```ts
 * const outcomes = await mapSettled(['a', 'b'], async (id) => id.toUpperCase(), { timeout: 5_000 });
 * const failed = outcomes.filter((outcome) => outcome.status === 'rejected');
 * ```
 */
export function mapSettled<S extends AsyncIterable<unknown> | Iterable<unknown>, R>(
  source: S,
  mapper: Mapper<SourceItem<S>, R>,
  options?: MapOptions,
): Promise<PromiseSettledResult<Awaited<R>>[]> {
  return streamPromise(MAP_SETTLED, source, mapper, options) as Promise<
    PromiseSettledResult<Awaited<R>>[]
  >;
}
