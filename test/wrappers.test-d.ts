/**
 * SPEC › Task wrappers › Types: the wrapped result type is the task's through every
 * composition order, an inline `signal` is inferred, wrapped tasks keep `gather`'s
 * inference, and obvious misuse is a type error.
 */
import { describe, expectTypeOf, test } from 'vitest';
import {
  asCompleted,
  backoff,
  type CompletedEntry,
  first,
  gather,
  gatherSettled,
  isolate,
  type RetryOptions,
  retry,
  TaskGroup,
  withTimeout,
} from '../src/index';

interface User {
  id: string;
}
declare function fetchUser(signal: AbortSignal): Promise<User>;
declare function loadUser(id: string): Promise<User>;
declare const users: Promise<User>;

type Wrapped<R> = (signal?: AbortSignal) => Promise<R>;

describe('Types: the wrapped result type is the task’s', () => {
  test('withTimeout and retry of an async task function', () => {
    expectTypeOf(withTimeout(fetchUser, 1_000)).toEqualTypeOf<Wrapped<User>>();
    expectTypeOf(retry(fetchUser)).toEqualTypeOf<Wrapped<User>>();
  });

  test('a task function that returns a plain value', () => {
    expectTypeOf(withTimeout(() => 42, 1_000)).toEqualTypeOf<Wrapped<number>>();
    expectTypeOf(retry(() => 'text')).toEqualTypeOf<Wrapped<string>>();
  });

  test('through every composition order', () => {
    expectTypeOf(retry(withTimeout(fetchUser, 1_000))).toEqualTypeOf<Wrapped<User>>();
    expectTypeOf(withTimeout(retry(fetchUser), 5_000)).toEqualTypeOf<Wrapped<User>>();
    expectTypeOf(retry(retry(fetchUser))).toEqualTypeOf<Wrapped<User>>();
    expectTypeOf(withTimeout(isolate(fetchUser), 1_000)).toEqualTypeOf<Wrapped<User | undefined>>();
    expectTypeOf(retry(isolate(fetchUser, { fallback: null }))).toEqualTypeOf<
      Wrapped<User | null>
    >();
  });

  test('isolate(retry(withTimeout(task, 2_000)), { fallback: null })', () => {
    expectTypeOf(
      isolate(retry(withTimeout(fetchUser, 2_000), { retries: 3 }), { fallback: null }),
    ).toEqualTypeOf<Wrapped<User | null>>();
  });
});

describe('Types: an inline signal is inferred', () => {
  test('in withTimeout and retry', () => {
    void withTimeout((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>(), 1_000);
    void retry((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>());
    void retry(withTimeout((signal) => expectTypeOf(signal).toEqualTypeOf<AbortSignal>(), 1));
  });

  test('a task function of no parameters or with an optional signal is fine', () => {
    void withTimeout(async () => 1, 1_000);
    void retry(async (_signal?: AbortSignal) => 1);
  });
});

describe('Types: wrapped tasks keep the family’s inference', () => {
  test('gather keeps the tuple and the record', () => {
    expectTypeOf(
      gather([withTimeout(fetchUser, 1_000), retry(async () => 1), 'plain']),
    ).resolves.toEqualTypeOf<[User, number, string]>();
    expectTypeOf(
      gather({ user: retry(withTimeout(fetchUser, 1_000)), count: withTimeout(() => 1, 10) }),
    ).resolves.toEqualTypeOf<{ user: User; count: number }>();
  });

  test('gatherSettled, first, asCompleted and spawn', () => {
    expectTypeOf(gatherSettled([retry(fetchUser)])).resolves.toEqualTypeOf<
      [PromiseSettledResult<User>]
    >();
    expectTypeOf(first([withTimeout(fetchUser, 1), retry(async () => 1)])).resolves.toEqualTypeOf<
      User | number
    >();
    expectTypeOf(asCompleted([withTimeout(fetchUser, 1)]).next()).resolves.toEqualTypeOf<
      IteratorResult<CompletedEntry<number, User>, undefined>
    >();
    const group = new TaskGroup();
    expectTypeOf(group.spawn(retry(withTimeout(fetchUser, 1_000)))).toEqualTypeOf<Promise<User>>();
  });

  test('a wrapper inside a mapper: call it with the signal', () => {
    const ids = ['a', 'b'];
    expectTypeOf(
      gather(ids.map((id) => retry((signal) => fetchUser(signal).then(() => id)))),
    ).resolves.toEqualTypeOf<string[]>();
  });
});

describe('Types: the options', () => {
  test('delay is a number or (attempt, error) => number; shouldRetry may be async', () => {
    expectTypeOf<RetryOptions['delay']>().toEqualTypeOf<
      number | ((attempt: number, error: unknown) => number) | undefined
    >();
    void retry(fetchUser, {
      retries: 3,
      delay: (attempt, error) => {
        expectTypeOf(attempt).toEqualTypeOf<number>();
        expectTypeOf(error).toEqualTypeOf<unknown>();
        return backoff(attempt);
      },
      shouldRetry: async (error, attempt) => {
        expectTypeOf(error).toEqualTypeOf<unknown>();
        expectTypeOf(attempt).toEqualTypeOf<number>();
        return true;
      },
      onRetry: (error, attempt) => {
        expectTypeOf(error).toEqualTypeOf<unknown>();
        expectTypeOf(attempt).toEqualTypeOf<number>();
      },
    });
    void retry(fetchUser, { shouldRetry: () => false, delay: 100 });
  });

  test('backoff takes the attempt and gives milliseconds', () => {
    expectTypeOf(backoff).toEqualTypeOf<(attempt: number) => number>();
  });
});

describe('Types: obvious misuse is a type error', () => {
  test('a promise as task', () => {
    // @ts-expect-error a promise cannot be given a signal: wrap a task function
    void withTimeout(users, 1_000);
    // @ts-expect-error a promise cannot be run again
    void retry(users);
  });

  test('a function whose first parameter cannot take an AbortSignal', () => {
    // @ts-expect-error loadUser takes an id, not a signal
    void withTimeout(loadUser, 1_000);
    // @ts-expect-error loadUser takes an id, not a signal
    void retry(loadUser);
  });

  test('a string as ms or retries', () => {
    // @ts-expect-error ms is a number
    void withTimeout(fetchUser, '1000');
    // @ts-expect-error retries is a number
    void retry(fetchUser, { retries: '3' });
    // @ts-expect-error delay is a number or a function
    void retry(fetchUser, { delay: '100' });
  });

  test('a misspelt option', () => {
    // @ts-expect-error `retry` is not an option: `retries` is
    void retry(fetchUser, { retry: 3 });
    // @ts-expect-error `shouldRetry` returns a boolean
    void retry(fetchUser, { shouldRetry: () => 'yes' });
  });

  test('the wrapped task is called with a signal, not an item', () => {
    const wrapped = retry(fetchUser);
    // @ts-expect-error its first argument is the signal
    void wrapped('a');
  });
});
