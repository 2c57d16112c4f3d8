import Bottleneck from 'bottleneck';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { describe, expectTypeOf, test } from 'vitest';
import {
  first,
  type GatherOptions,
  type GatherResult,
  gather,
  gatherSettled,
  isolate,
  type Task,
  type TaskFunction,
  type TaskResult,
} from '../src/index';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;

describe('Types: task functions written inline get an AbortSignal', () => {
  test('in an array literal', () => {
    void gather([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
  });

  test('in an object literal', () => {
    void gather({ user: (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() });
  });

  test('in new Map([[key, (signal) => …]])', () => {
    void gather(new Map([['user', (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]]));
  });

  test('in xs.map((x) => (signal) => …)', () => {
    const ids = ['a', 'b'];
    void gather(
      ids.map((id) => (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() && id),
    );
  });

  test('in gatherSettled and isolate', () => {
    void gatherSettled([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
    void gatherSettled({ a: (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() });
    isolate((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
  });
});

describe('Types: an annotated destination does not take the inline types away', () => {
  test('a tuple annotation on the result', async () => {
    const [aborted, user]: [boolean, User] = await gather([
      (signal) => signal.aborted,
      (signal) => fetchUser(signal),
    ]);
    expectTypeOf(aborted).toEqualTypeOf<boolean>();
    expectTypeOf(user).toEqualTypeOf<User>();
  });

  test('an object annotation on the result', async () => {
    const result: { user: User } = await gather({ user: (signal) => fetchUser(signal) });
    expectTypeOf(result.user).toEqualTypeOf<User>();
  });

  test('an annotated isolated task', () => {
    const safe: (signal?: AbortSignal) => Promise<User | null> = isolate(
      (signal) => fetchUser(signal),
      { fallback: null },
    );
    expectTypeOf(safe).returns.resolves.toEqualTypeOf<User | null>();
  });
});

describe('Types: gather results', () => {
  test('an array literal is a mutable tuple of widened results, without `as const`', () => {
    expectTypeOf(
      gather([1, 'a', Promise.resolve(true), (signal) => fetchUser(signal), () => 5n]),
    ).resolves.toEqualTypeOf<[number, string, boolean, User, bigint]>();
  });

  test('a task function result is its awaited return type, a thenable its awaited type', () => {
    const thenable: PromiseLike<Date> = Promise.resolve(new Date());
    expectTypeOf(gather([async () => [1, 2], thenable])).resolves.toEqualTypeOf<[number[], Date]>();
  });

  test('an empty array literal is an empty tuple', () => {
    expectTypeOf(gather([])).resolves.toEqualTypeOf<[]>();
  });

  test('a readonly tuple gives a mutable tuple', () => {
    expectTypeOf(gather([1, 'a'] as const)).resolves.toEqualTypeOf<[1, 'a']>();
  });

  test('an array variable gives an array', () => {
    const tasks: Array<() => Promise<number>> = [];
    expectTypeOf(gather(tasks)).resolves.toEqualTypeOf<number[]>();
  });

  test('an iterable gives an array of its results', () => {
    expectTypeOf(gather(new Set([Promise.resolve(1)]))).resolves.toEqualTypeOf<number[]>();
    function* tasks(): Generator<TaskFunction<string>> {
      yield () => 'a';
    }
    expectTypeOf(gather(tasks())).resolves.toEqualTypeOf<string[]>();
    expectTypeOf(gather('abc')).resolves.toEqualTypeOf<string[]>();
  });

  test('a plain object gives an object with the same keys, symbol keys kept', () => {
    const key = Symbol('key');
    expectTypeOf(
      gather({
        user: (signal: AbortSignal) => fetchUser(signal),
        count: 1,
        [key]: Promise.resolve('s'),
      }),
    ).resolves.toEqualTypeOf<{ user: User; count: number; [key]: string }>();
  });

  test('keyed input typed by an interface is accepted', () => {
    interface Loaders {
      user: TaskFunction<User>;
      count: number;
    }
    const loaders: Loaders = { user: fetchUser, count: 1 };
    expectTypeOf(gather(loaders)).resolves.toEqualTypeOf<{ user: User; count: number }>();
  });

  test('a Map gives a Map with the same key type', () => {
    expectTypeOf(
      gather(new Map([[1, (signal: AbortSignal) => fetchUser(signal)]])),
    ).resolves.toEqualTypeOf<Map<number, User>>();
    const loaders = new Map<string, Task<number>>();
    expectTypeOf(gather(loaders)).resolves.toEqualTypeOf<Map<string, number>>();
  });

  test('GatherResult and TaskResult name the same types', () => {
    expectTypeOf<TaskResult<(signal: AbortSignal) => Promise<User>>>().toEqualTypeOf<User>();
    expectTypeOf<TaskResult<Promise<number>>>().toEqualTypeOf<number>();
    expectTypeOf<GatherResult<{ a: () => string }>>().toEqualTypeOf<{ a: string }>();
    expectTypeOf<GatherResult<Map<'k', Promise<number>>>>().toEqualTypeOf<Map<'k', number>>();
  });
});

describe('Types: gatherSettled slots', () => {
  test('every slot is a PromiseSettledResult of the task result', () => {
    expectTypeOf(gatherSettled([1, async () => 'a'])).resolves.toEqualTypeOf<
      [PromiseSettledResult<number>, PromiseSettledResult<string>]
    >();
    expectTypeOf(gatherSettled({ user: fetchUser })).resolves.toEqualTypeOf<{
      user: PromiseSettledResult<User>;
    }>();
    expectTypeOf(gatherSettled(new Map([['a', Promise.resolve(1)]]))).resolves.toEqualTypeOf<
      Map<string, PromiseSettledResult<number>>
    >();
    expectTypeOf(gatherSettled(new Set([() => true]))).resolves.toEqualTypeOf<
      PromiseSettledResult<boolean>[]
    >();
  });
});

describe('Types: isolate', () => {
  test('without fallback it may resolve with undefined', () => {
    expectTypeOf(isolate(fetchUser)).toEqualTypeOf<
      (signal?: AbortSignal) => Promise<User | undefined>
    >();
  });

  test('with a fallback it resolves with the result or the awaited fallback', () => {
    expectTypeOf(isolate(fetchUser, { fallback: null })).toEqualTypeOf<
      (signal?: AbortSignal) => Promise<User | null>
    >();
    expectTypeOf(isolate(Promise.resolve(1), { fallback: Promise.resolve('none') })).toEqualTypeOf<
      (signal?: AbortSignal) => Promise<number | string>
    >();
  });

  test('onError receives unknown', () => {
    isolate(fetchUser, { onError: (error) => expectTypeOf(error).toEqualTypeOf<unknown>() });
  });

  test('an isolated task keeps its result type inside gather', () => {
    expectTypeOf(
      gather([isolate(fetchUser, { fallback: 'guest' as const })]),
    ).resolves.toEqualTypeOf<[User | 'guest']>();
  });
});

describe('Types: obvious misuse is a type error', () => {
  test('tasks that are not a collection', () => {
    // @ts-expect-error a number is not a collection of tasks
    void gather(42);
    // @ts-expect-error undefined is not a collection of tasks
    void gatherSettled(undefined);
  });

  test('a misspelt option', () => {
    // @ts-expect-error `concurency` is not an option
    void gather([1], { concurency: 4 });
  });

  test('a concurrency given as a string', () => {
    // @ts-expect-error concurrency is a number
    void gather([1], { concurrency: '4' });
  });

  test('isolate options that are not options', () => {
    // @ts-expect-error onError is a function
    isolate(fetchUser, { onError: 'log' });
  });
});

describe('Types: options', () => {
  test('every option accepts undefined, and signal accepts null', () => {
    const options: GatherOptions = {
      signal: null,
      timeout: undefined,
      waitForCleanup: undefined,
      concurrency: undefined,
      limit: undefined,
    };
    expectTypeOf(options).toEqualTypeOf<GatherOptions>();
  });

  test('a p-limit instance is a limit', () => {
    expectTypeOf(gather([1], { limit: pLimit(2) })).resolves.toEqualTypeOf<[number]>();
  });

  test("a p-queue's add and a Bottleneck's schedule, bound, are limits", () => {
    const queue = new PQueue({ concurrency: 2 });
    const bottleneck = new Bottleneck({ maxConcurrent: 2 });
    expectTypeOf(gather([1], { limit: queue.add.bind(queue) })).resolves.toEqualTypeOf<[number]>();
    expectTypeOf(
      gather([1], { limit: bottleneck.schedule.bind(bottleneck) }),
    ).resolves.toEqualTypeOf<[number]>();
  });

  test('a limit that is not a function is a type error', () => {
    // @ts-expect-error a limiter is a function
    void gather([1], { limit: 4 });
  });
});

describe('Types: first', () => {
  test('resolves with the union of the task results', () => {
    expectTypeOf(first([async () => 1, Promise.resolve('a')])).resolves.toEqualTypeOf<
      number | string
    >();
    expectTypeOf(first({ a: fetchUser, b: () => null })).resolves.toEqualTypeOf<User | null>();
    expectTypeOf(first(new Map([['k', async () => true]]))).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(first(new Set([Promise.resolve(1n)]))).resolves.toEqualTypeOf<bigint>();
  });

  test('types an inline task function’s signal', () => {
    void first([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
  });

  test('rejects obvious misuse', () => {
    // @ts-expect-error a number is not a collection of tasks
    void first(42);
  });
});
