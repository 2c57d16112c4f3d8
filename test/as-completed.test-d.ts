import Bottleneck from 'bottleneck';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { describe, expectTypeOf, test } from 'vitest';
import {
  type AsCompletedEntry,
  type AsCompletedIterator,
  asCompleted,
  type CompletedEntry,
  type GatherOptions,
  type Task,
  type TaskFunction,
} from '../src/index';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;

/** The entry type an iterator yields. */
type EntryOf<I> = I extends AsCompletedIterator<infer Entry> ? Entry : never;

describe('Types: asCompleted task functions written inline get an AbortSignal', () => {
  test('in an array literal', () => {
    asCompleted([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
  });

  test('in an object literal', () => {
    asCompleted({ user: (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() });
  });

  test('in new Map([[key, (signal) => …]])', () => {
    asCompleted(new Map([['user', (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]]));
  });

  test('in xs.map((x) => (signal) => …)', () => {
    const ids = ['a', 'b'];
    asCompleted(
      ids.map((id) => (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() && id),
    );
  });
});

describe('Types: asCompleted entries', () => {
  test('an array literal gives entries keyed by number, with the union of the results', () => {
    const entries = asCompleted([(signal) => fetchUser(signal), Promise.resolve(1), 'text']);
    expectTypeOf<EntryOf<typeof entries>>().toEqualTypeOf<
      CompletedEntry<number, User | number | string>
    >();
  });

  test('narrowing an object input’s entry on key and status types the value', async () => {
    for await (const entry of asCompleted({
      user: (signal) => fetchUser(signal),
      count: async () => 1,
    })) {
      if (entry.key === 'user' && entry.status === 'fulfilled') {
        expectTypeOf(entry.value).toEqualTypeOf<User>();
      } else if (entry.key === 'count' && entry.status === 'fulfilled') {
        expectTypeOf(entry.value).toEqualTypeOf<number>();
      } else if (entry.status === 'rejected') {
        expectTypeOf(entry.reason).toEqualTypeOf<unknown>();
        expectTypeOf(entry.key).toEqualTypeOf<'user' | 'count'>();
      }
    }
  });

  test('status discriminates the union: value only when fulfilled, reason only when rejected', async () => {
    for await (const entry of asCompleted([async () => 1])) {
      // @ts-expect-error `value` is only on a fulfilled entry
      void entry.value;
      // @ts-expect-error `reason` is only on a rejected entry
      void entry.reason;
      expectTypeOf(entry.status).toEqualTypeOf<'fulfilled' | 'rejected'>();
    }
  });

  test('an array variable gives entries keyed by number', () => {
    const tasks: Array<() => Promise<number>> = [];
    expectTypeOf<EntryOf<ReturnType<typeof asCompleted<typeof tasks>>>>().toEqualTypeOf<
      CompletedEntry<number, number>
    >();
    expectTypeOf(asCompleted(tasks)).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<number, number>>
    >();
  });

  test('a readonly array variable gives entries keyed by number', () => {
    const tasks: readonly Task<string>[] = [];
    expectTypeOf(asCompleted(tasks)).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<number, string>>
    >();
  });

  test('an iterable gives entries keyed by number', () => {
    expectTypeOf(asCompleted(new Set([Promise.resolve(1n)]))).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<number, bigint>>
    >();
    function* tasks(): Generator<TaskFunction<string>> {
      yield () => 'a';
    }
    expectTypeOf(asCompleted(tasks())).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<number, string>>
    >();
  });

  test('a plain object gives entries keyed by its keys, number keys as strings, symbols kept', () => {
    const key = Symbol('key');
    const entries = asCompleted({
      user: (signal: AbortSignal) => fetchUser(signal),
      7: Promise.resolve(true),
      [key]: 'symbol',
    });
    expectTypeOf<EntryOf<typeof entries>>().toEqualTypeOf<
      | CompletedEntry<'user', User>
      | CompletedEntry<'7', boolean>
      | CompletedEntry<typeof key, string>
    >();
  });

  test('keyed input typed by an interface is accepted, optional keys included', () => {
    interface Loaders {
      user: TaskFunction<User>;
      count?: number;
    }
    const loaders: Loaders = { user: fetchUser };
    expectTypeOf<EntryOf<ReturnType<typeof asCompleted<Loaders>>>>().toEqualTypeOf<
      CompletedEntry<'user', User> | CompletedEntry<'count', number | undefined>
    >();
    asCompleted(loaders);
  });

  test('a Map gives entries keyed by the Map’s key type', () => {
    expectTypeOf(
      asCompleted(new Map([[1, (signal: AbortSignal) => fetchUser(signal)]])),
    ).toEqualTypeOf<AsCompletedIterator<CompletedEntry<number, User>>>();
    const loaders = new Map<'a' | 'b', Task<number>>();
    expectTypeOf(asCompleted(loaders)).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<'a' | 'b', number>>
    >();
  });

  test('CompletedEntry is the pair of a fulfilled and a rejected entry', () => {
    expectTypeOf<CompletedEntry<'k', string>>().toEqualTypeOf<
      | { key: 'k'; status: 'fulfilled'; value: string }
      | { key: 'k'; status: 'rejected'; reason: unknown }
    >();
  });

  test('AsCompletedEntry names the entries of an input type', () => {
    expectTypeOf<AsCompletedEntry<{ user: () => Promise<string> }>>().toEqualTypeOf<
      CompletedEntry<'user', string>
    >();
    expectTypeOf<AsCompletedEntry<Map<'k', Promise<number>>>>().toEqualTypeOf<
      CompletedEntry<'k', number>
    >();
    expectTypeOf<AsCompletedEntry<Promise<number>[]>>().toEqualTypeOf<
      CompletedEntry<number, number>
    >();
    expectTypeOf<AsCompletedEntry<[() => string, Promise<boolean>]>>().toEqualTypeOf<
      CompletedEntry<number, string | boolean>
    >();
  });

  test('an empty array literal yields entries that can never be fulfilled', () => {
    expectTypeOf<EntryOf<ReturnType<typeof asCompleted<[]>>>>().toEqualTypeOf<
      CompletedEntry<number, never>
    >();
  });
});

describe('Types: the asCompleted iterator', () => {
  test('is an AsCompletedIterator with next() and return()', () => {
    const entries = asCompleted({ a: async () => 1 });
    expectTypeOf(entries).toEqualTypeOf<AsCompletedIterator<CompletedEntry<'a', number>>>();
    expectTypeOf(entries.next()).toEqualTypeOf<
      Promise<IteratorResult<CompletedEntry<'a', number>, undefined>>
    >();
    expectTypeOf(entries.return()).toEqualTypeOf<Promise<IteratorReturnResult<undefined>>>();
    expectTypeOf(entries[Symbol.asyncIterator]()).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<'a', number>>
    >();
  });

  test('is an AsyncIterableIterator, usable in for await', async () => {
    const entries = asCompleted([async () => 'a']);
    expectTypeOf(entries).toMatchTypeOf<AsyncIterableIterator<CompletedEntry<number, string>>>();
    for await (const entry of entries) {
      expectTypeOf(entry).toEqualTypeOf<CompletedEntry<number, string>>();
    }
  });

  test('a done step carries undefined', async () => {
    const step = await asCompleted([1]).next();
    if (step.done) expectTypeOf(step.value).toEqualTypeOf<undefined>();
    else expectTypeOf(step.value).toEqualTypeOf<CompletedEntry<number, number>>();
  });
});

describe('Types: asCompleted options and misuse', () => {
  test('takes the options of gather, each of which accepts undefined', () => {
    const options: GatherOptions = {
      signal: null,
      timeout: undefined,
      waitForCleanup: undefined,
      concurrency: undefined,
      limit: undefined,
    };
    asCompleted([1], options);
    asCompleted([1], {
      signal: new AbortController().signal,
      timeout: 1_000,
      waitForCleanup: true,
      concurrency: 2,
    });
    expectTypeOf<Parameters<typeof asCompleted>[1]>().toEqualTypeOf<GatherOptions | undefined>();
  });

  test('takes a p-limit instance, a p-queue’s add and a Bottleneck’s schedule as limits', () => {
    const queue = new PQueue({ concurrency: 2 });
    const bottleneck = new Bottleneck({ maxConcurrent: 2 });
    asCompleted([1], { limit: pLimit(2) });
    asCompleted([1], { limit: queue.add.bind(queue) });
    asCompleted([1], { limit: bottleneck.schedule.bind(bottleneck) });
  });

  test('rejects obvious misuse', () => {
    // @ts-expect-error a number is not a collection of tasks
    asCompleted(42);
    // @ts-expect-error undefined is not a collection of tasks
    asCompleted(undefined);
    // @ts-expect-error `concurency` is not an option
    asCompleted([1], { concurency: 4 });
    // @ts-expect-error concurrency is a number
    asCompleted([1], { concurrency: '4' });
    // @ts-expect-error a limiter is a function
    asCompleted([1], { limit: 4 });
  });
});
