import pLimit from 'p-limit';
import { describe, expectTypeOf, test } from 'vitest';
import { type GatherOptions, TaskGroup, type TaskGroupOptions } from '../src/index';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;
declare const group: TaskGroup;

describe('Types: TaskGroup.spawn', () => {
  test('an inline task function gets an AbortSignal', () => {
    void group.spawn((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
    void group.spawn(async (signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
  });

  test('a synchronous task function gives a promise of its return type', () => {
    expectTypeOf(group.spawn(() => 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(group.spawn((signal) => signal.aborted)).toEqualTypeOf<Promise<boolean>>();
  });

  test('an asynchronous task function gives a promise of its awaited return type', () => {
    expectTypeOf(group.spawn(async () => 'text')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(group.spawn((signal) => fetchUser(signal))).toEqualTypeOf<Promise<User>>();
    expectTypeOf(group.spawn(fetchUser)).toEqualTypeOf<Promise<User>>();
  });

  test('a task function returning a thenable gives a promise of its awaited type', () => {
    const thenable = null as unknown as PromiseLike<number>;
    expectTypeOf(group.spawn(() => thenable)).toEqualTypeOf<Promise<number>>();
  });

  test('a task function that returns a value or a promise of another type gives Promise<Awaited<R>>', () => {
    const cachedOrFetched = (signal: AbortSignal): number | Promise<string> =>
      signal.aborted ? 0 : Promise.resolve('fetched');
    expectTypeOf(group.spawn(cachedOrFetched)).toEqualTypeOf<Promise<number | string>>();
  });

  test('a task function returning a nested thenable gives a promise of the fully awaited type', () => {
    const nested = null as unknown as PromiseLike<PromiseLike<number>>;
    expectTypeOf(group.spawn(() => nested)).toEqualTypeOf<Promise<number>>();
  });

  test('a promise, a plain value or null is not a task function', () => {
    // @ts-expect-error a promise cannot receive the group's signal
    void group.spawn(Promise.resolve(1));
    // @ts-expect-error a plain value is not a task function
    void group.spawn(42);
    // @ts-expect-error null is not a task function
    void group.spawn(null);
  });
});

describe('Types: TaskGroup members', () => {
  test('join() returns Promise<void>', () => {
    expectTypeOf(group.join).parameters.toEqualTypeOf<[]>();
    expectTypeOf(group.join()).toEqualTypeOf<Promise<void>>();
  });

  test('signal is a read-only AbortSignal', () => {
    expectTypeOf(group.signal).toEqualTypeOf<AbortSignal>();
    // @ts-expect-error `signal` is read-only
    group.signal = new AbortController().signal;
  });

  test('abort takes an optional reason of any type and returns nothing', () => {
    expectTypeOf(group.abort).parameters.toEqualTypeOf<[reason?: unknown]>();
    expectTypeOf(group.abort).returns.toEqualTypeOf<void>();
    group.abort();
    group.abort(undefined);
    group.abort(new Error('stop'));
    group.abort('any value');
  });

  test('[Symbol.asyncDispose]() returns Promise<void>', () => {
    expectTypeOf(group[Symbol.asyncDispose]).parameters.toEqualTypeOf<[]>();
    expectTypeOf(group[Symbol.asyncDispose]()).toEqualTypeOf<Promise<void>>();
  });

  test('`await using` accepts a TaskGroup', async () => {
    await using scoped = new TaskGroup();
    expectTypeOf(scoped.spawn(() => 1)).toEqualTypeOf<Promise<number>>();
  });
});

describe('Types: TaskGroupOptions', () => {
  test('the constructor takes optional TaskGroupOptions', () => {
    expectTypeOf(TaskGroup).constructorParameters.toEqualTypeOf<[options?: TaskGroupOptions]>();
  });

  test('has the options of gather but waitForCleanup', () => {
    expectTypeOf<TaskGroupOptions>().toEqualTypeOf<Omit<GatherOptions, 'waitForCleanup'>>();
    expectTypeOf<TaskGroupOptions>().not.toHaveProperty('waitForCleanup');
    void new TaskGroup({
      signal: new AbortController().signal,
      concurrency: 4,
      timeout: 1_000,
    });
    void new TaskGroup({ limit: pLimit(2) });
    void new TaskGroup({ signal: null });
  });

  test('each option accepts undefined', () => {
    void new TaskGroup({
      signal: undefined,
      limit: undefined,
      concurrency: undefined,
      timeout: undefined,
    });
  });

  test('waitForCleanup, a misspelt key or a string concurrency is a type error', () => {
    // @ts-expect-error a group always waits: `waitForCleanup` is not an option
    void new TaskGroup({ waitForCleanup: true });
    // @ts-expect-error `waitForCleanup` is not a TaskGroupOption
    const options: TaskGroupOptions = { waitForCleanup: false };
    void options;
    // @ts-expect-error `concurency` is not an option
    void new TaskGroup({ concurency: 2 });
    // @ts-expect-error concurrency is a number
    void new TaskGroup({ concurrency: '4' });
  });
});
