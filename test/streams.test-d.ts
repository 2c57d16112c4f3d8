/** SPEC › Streams › Types: item, signal and index inferred; a p-map mapper is refused. */
import { Readable } from 'node:stream';
import { describe, expectTypeOf, it } from 'vitest';
import { map, mapIterable, mapSettled } from '../src/index';

async function* numbers(): AsyncGenerator<number> {
  yield 1;
}
function* promisesOfStrings(): Generator<Promise<string>> {
  yield Promise.resolve('a');
}

describe('stream types', () => {
  it('infers the item from an array, and signal and index inline', () => {
    map([1, 2], (item, signal, index) => {
      expectTypeOf(item).toEqualTypeOf<number>();
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      expectTypeOf(index).toEqualTypeOf<number>();
      return String(item);
    });
  });

  it('resolves Awaited<R>[] for map and PromiseSettledResult<Awaited<R>>[] for mapSettled', async () => {
    expectTypeOf(await map([1], async (item) => String(item))).toEqualTypeOf<string[]>();
    expectTypeOf(await mapSettled([1], async (item) => item > 0)).toEqualTypeOf<
      PromiseSettledResult<boolean>[]
    >();
  });

  it('gives the mapper T for an async iterable and Awaited<T> for a sync one', () => {
    map(numbers(), (item) => expectTypeOf(item).toEqualTypeOf<number>());
    map(promisesOfStrings(), (item) => expectTypeOf(item).toEqualTypeOf<string>());
  });

  it('takes a Node Readable as a source (its items are any)', () => {
    map(Readable.from(['a']), (item) => item);
  });

  it('mapIterable is an async iterable iterator of results that can be disposed', () => {
    const iterator = mapIterable([1], async (item) => item * 2, { order: 'completion', buffer: 8 });
    expectTypeOf(iterator).toMatchTypeOf<AsyncIterableIterator<number>>();
    expectTypeOf(iterator).toMatchTypeOf<AsyncDisposable>();
  });

  it('refuses a p-map mapper whose second parameter is the index', () => {
    // @ts-expect-error -- the second parameter is the signal here, not the index
    map([1], (item: number, index: number) => item + index);
  });

  it('refuses a bad order, a non-number buffer and a misspelt option', () => {
    // @ts-expect-error -- order is 'input' or 'completion'
    mapIterable([1], (item) => item, { order: 'random' });
    // @ts-expect-error -- buffer is a number
    mapIterable([1], (item) => item, { buffer: '4' });
    // @ts-expect-error -- misspelt concurrency
    map([1], (item) => item, { concurency: 2 });
  });
});
