import { describe, expectTypeOf, test } from 'vitest';
import {
  type AnyTask,
  type AsCompletedIterator,
  asCompleted,
  type CompletedEntry,
  first,
  type GatherInput,
  type GatherResult,
  type GatherTasks,
  gather,
  gatherSettled,
  isolate,
  type Task,
  type TaskGroup,
} from '../src/index';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;
/** Not a task function: its first parameter is an id, and p-gather would pass the signal. */
declare function loadUser(id: string): Promise<User>;
/** Not a task function either: the signal is its second parameter. */
declare function loadUserWithSignal(userId: string, signal?: AbortSignal): Promise<User>;
declare function loadAll(): Promise<Array<() => Promise<User>>>;
declare function pages(): AsyncGenerator<() => Promise<string>>;
declare const group: TaskGroup;

describe('Types: a function whose first parameter cannot take the signal is refused in every function', () => {
  test('gather', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    void gather({ user: loadUser });
    // @ts-expect-error the signal is the second parameter of loadUserWithSignal
    void gather([loadUserWithSignal]);
    // @ts-expect-error one bad slot among good ones
    void gather([fetchUser, async () => 1, loadUser]);
    // @ts-expect-error in a Map
    void gather(new Map([['user', loadUser]]));
    // @ts-expect-error in a Set
    void gather(new Set([loadUser]));
    const loaders: Array<(id: string) => Promise<User>> = [loadUser];
    // @ts-expect-error in an array variable
    void gather(loaders);
  });

  test('gatherSettled', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    void gatherSettled({ user: loadUser });
    // @ts-expect-error the signal is the second parameter
    void gatherSettled([loadUserWithSignal]);
    // @ts-expect-error in a Map
    void gatherSettled(new Map([['user', loadUser]]));
  });

  test('first', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    void first({ user: loadUser });
    // @ts-expect-error the signal is the second parameter
    void first([fetchUser, loadUserWithSignal]);
    // @ts-expect-error in a Set
    void first(new Set([loadUser]));
  });

  test('asCompleted', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    asCompleted({ user: loadUser });
    // @ts-expect-error the signal is the second parameter
    asCompleted([loadUserWithSignal]);
    // @ts-expect-error in a Map
    asCompleted(new Map([['user', loadUser]]));
  });

  test('isolate', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    isolate(loadUser);
    // @ts-expect-error the signal is the second parameter
    isolate(loadUserWithSignal, { fallback: null });
  });

  test('TaskGroup.spawn', () => {
    // @ts-expect-error loadUser(id: string) would receive the signal as its id
    void group.spawn(loadUser);
    // @ts-expect-error the signal is the second parameter
    void group.spawn(loadUserWithSignal);
  });

  test('keyed input typed by an interface with a method that takes an id', () => {
    interface Loaders {
      user: (id: string) => Promise<User>;
      count: number;
    }
    const loaders: Loaders = { user: loadUser, count: 1 };
    // @ts-expect-error the interface's `user` is not a task function
    void gather(loaders);
    // @ts-expect-error the same for asCompleted
    asCompleted(loaders);
  });

  test('a sync generator that yields such functions', () => {
    function* loaders(): Generator<(id: string) => Promise<User>> {
      yield loadUser;
    }
    // @ts-expect-error the generator yields functions that take an id
    void gather(loaders());
  });
});

describe('Types: a promise or thenable as tasks (a forgotten await) is refused in every function', () => {
  test('a promise', () => {
    // @ts-expect-error await loadAll() first
    void gather(loadAll());
    // @ts-expect-error await loadAll() first
    void gatherSettled(loadAll());
    // @ts-expect-error await loadAll() first
    void first(loadAll());
    // @ts-expect-error await loadAll() first
    asCompleted(loadAll());
  });

  test('a thenable', () => {
    const thenable: PromiseLike<Array<() => number>> = Promise.resolve([() => 1]);
    const queryBuilder = null as unknown as {
      then(resolve: (rows: string[]) => void, reject?: (error: unknown) => void): void;
      where(column: string): unknown;
    };
    // @ts-expect-error a thenable is awaited, not read
    void gather(thenable);
    // @ts-expect-error a thenable with a `then` of its own shape
    void gather(queryBuilder);
    // @ts-expect-error a thenable is awaited, not read
    void gatherSettled(thenable);
    // @ts-expect-error a thenable is awaited, not read
    void first(thenable);
    // @ts-expect-error a thenable is awaited, not read
    asCompleted(thenable);
  });
});

describe('Types: an async iterable as tasks is refused in every function', () => {
  test('an async generator', () => {
    // @ts-expect-error an async iterable: map() reads one
    void gather(pages());
    // @ts-expect-error an async iterable: map() reads one
    void gatherSettled(pages());
    // @ts-expect-error an async iterable: map() reads one
    void first(pages());
    // @ts-expect-error an async iterable: map() reads one
    asCompleted(pages());
  });

  test('any async iterable', () => {
    const source = null as unknown as AsyncIterable<number>;
    // @ts-expect-error an async iterable: map() reads one
    void gather(source);
  });
});

describe('Types: a single function as tasks is refused', () => {
  test('in every function that takes tasks', () => {
    // @ts-expect-error one task function is not a collection: put it in an array
    void gather(fetchUser);
    // @ts-expect-error one task function is not a collection
    void gatherSettled(fetchUser);
    // @ts-expect-error one task function is not a collection
    void first(fetchUser);
    // @ts-expect-error one task function is not a collection
    asCompleted(fetchUser);
  });
});

describe('Types: every form that takes the signal, or nothing, is still a task', () => {
  test('no parameters, (signal) => …, (signal?: AbortSignal) => …, a rest parameter', () => {
    const optional = (signal?: AbortSignal): number => (signal?.aborted ? 0 : 1);
    const rest = (...args: unknown[]) => args.length;
    expectTypeOf(
      gather([() => 'value', async () => 1, fetchUser, optional, rest, (signal) => signal.aborted]),
    ).resolves.toEqualTypeOf<[string, number, User, number, number, boolean]>();
    expectTypeOf(gatherSettled({ a: () => 1, b: optional })).resolves.toEqualTypeOf<{
      a: PromiseSettledResult<number>;
      b: PromiseSettledResult<number>;
    }>();
    expectTypeOf(first([optional, fetchUser])).resolves.toEqualTypeOf<number | User>();
    expectTypeOf(asCompleted([optional, () => 'a'])).toEqualTypeOf<
      AsCompletedIterator<CompletedEntry<number, number | string>>
    >();
    expectTypeOf(isolate(optional)).toEqualTypeOf<
      (signal?: AbortSignal) => Promise<number | undefined>
    >();
    expectTypeOf(group.spawn(optional)).toEqualTypeOf<Promise<number>>();
  });

  test('inline task functions get an AbortSignal in every function', () => {
    void gather([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
    void gather({ a: (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() });
    void gather(new Map([['a', (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]]));
    void gather(['a'].map(() => (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()));
    void gatherSettled([(signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]);
    void first({ a: (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>() });
    asCompleted(new Map([['a', (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>()]]));
    isolate((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
    void group.spawn((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
  });

  test('inside another generic call, as in expectTypeOf(gather([…]))', () => {
    const same = <A>(value: A): A => value;
    expectTypeOf(same(gather([1, (signal) => fetchUser(signal)]))).resolves.toEqualTypeOf<
      [number, User]
    >();
    expectTypeOf(same(first({ a: 1, b: (signal) => fetchUser(signal) }))).resolves.toEqualTypeOf<
      number | User
    >();
  });

  test('an isolated task is a task', () => {
    expectTypeOf(
      gather({ user: isolate(fetchUser, { fallback: null }), n: isolate(Promise.resolve(1)) }),
    ).resolves.toEqualTypeOf<{ user: User | null; n: number | undefined }>();
    expectTypeOf(group.spawn(isolate(fetchUser))).toEqualTypeOf<Promise<User | undefined>>();
  });

  test('interfaces as keyed input', () => {
    interface Loaders {
      a: () => Promise<number>;
      user(signal: AbortSignal): Promise<User>;
      label?: string;
    }
    const loaders: Loaders = { a: async () => 1, user: fetchUser };
    expectTypeOf(gather(loaders)).resolves.toEqualTypeOf<{
      a: number;
      user: User;
      label?: string;
    }>();
    expectTypeOf(first(loaders)).resolves.toEqualTypeOf<number | User | string | undefined>();
  });

  test('values, promises and thenables in slots, and a keyed `then` that takes no argument', () => {
    const thenable: PromiseLike<Date> = Promise.resolve(new Date());
    expectTypeOf(gather([1, 'a', null, Promise.resolve(true), thenable])).resolves.toEqualTypeOf<
      [number, string, null, boolean, Date]
    >();
    // biome-ignore lint/suspicious/noThenProperty: a keyed `then` task is keyed input (SPEC gather 1).
    expectTypeOf(gather({ then: () => 1 })).resolves.toEqualTypeOf<{ then: number }>();
  });

  test('wide element types: Task<T>, AnyTask, a record, task functions of a generic result', () => {
    const tasks: Task<number>[] = [];
    expectTypeOf(gather(tasks)).resolves.toEqualTypeOf<number[]>();
    const any: AnyTask[] = [];
    expectTypeOf(gather(any)).resolves.toEqualTypeOf<unknown[]>();
    const byName: Record<string, Task<number>> = { a: async () => 1, b: 2 };
    expectTypeOf(gather(byName)).resolves.toEqualTypeOf<Record<string, number>>();
    const fromFunctions = <U>(loaders: Array<() => Promise<U>>) => gather(loaders);
    expectTypeOf(fromFunctions([async () => 'a'])).resolves.toEqualTypeOf<string[]>();
  });

  test('generic helpers compile as before: an undecided check accepts the input', () => {
    function passOn<T extends GatherInput>(tasks: T) {
      return [gather(tasks), gatherSettled(tasks), first(tasks), asCompleted(tasks)] as const;
    }
    expectTypeOf(passOn([1])[0]).resolves.toEqualTypeOf<[number]>();
    const wide = <U>(tasks: Task<U>[]) => gather(tasks);
    expectTypeOf(wide([async () => 1])).resolves.toEqualTypeOf<number[]>();
    const byName = <U>(tasks: Record<string, Task<U>>) => gather(tasks);
    expectTypeOf(byName({ a: 1 })).resolves.toEqualTypeOf<Record<string, number>>();
    const inTuple = <U>(value: U) => gather([value, { key: value }]);
    expectTypeOf(inTuple('a')).resolves.toEqualTypeOf<[string, { key: string }]>();
    const inObject = <U>(value: U) => gather({ value });
    expectTypeOf(inObject(1)).resolves.toEqualTypeOf<{ value: number }>();
    const isolated = <U>(value: U) => isolate(value);
    expectTypeOf(isolated(Promise.resolve(1))).returns.resolves.toEqualTypeOf<number | undefined>();
  });

  test('inside generic code, what can be decided is still refused', () => {
    // @ts-expect-error loadUser is a bad slot whatever U is
    const mixed = <U>(value: U) => gather([value, loadUser]);
    // @ts-expect-error the same in an object
    const mixedKeyed = <U>(value: U) => gather({ value, user: loadUser });
    // @ts-expect-error a promise of tasks, whatever U is
    const forgotten = <U>(tasks: Promise<U[]>) => gather(tasks);
    void [mixed, mixedKeyed, forgotten];
  });

  test('a generic wrapper that types its parameter GatherTasks<T> passes every check on', () => {
    function gatherLogged<T extends GatherInput>(tasks: GatherTasks<T>): Promise<GatherResult<T>> {
      return gather(tasks);
    }
    expectTypeOf(gatherLogged([1, (signal) => signal.aborted])).resolves.toEqualTypeOf<
      [number, boolean]
    >();
    expectTypeOf(gatherLogged({ user: (signal) => fetchUser(signal) })).resolves.toEqualTypeOf<{
      user: User;
    }>();
    // @ts-expect-error the wrapper refuses what gather refuses
    void gatherLogged({ user: loadUser });
    // @ts-expect-error and a forgotten await
    void gatherLogged(loadAll());
  });
});
