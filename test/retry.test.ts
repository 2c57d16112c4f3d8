/**
 * SPEC › Task wrappers, `retry(task, options?)` 1–4, the wait's timer and link, and
 * the composition orders with `withTimeout` and the family, under fake timers (and
 * real ones for the paths that take no time).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  asCompleted,
  backoff,
  first,
  gather,
  isolate,
  type RetryOptions,
  retry,
  TaskGroup,
  withTimeout,
} from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { abortListenerCount, itInNode } from './support/node-only';

/** Untyped access, for arguments the public types rightly refuse. */
const retryAny = retry as unknown as (task: unknown, options?: unknown) => LooseTask;
type LooseTask = (signal?: unknown) => Promise<unknown>;

const MAX_TIMER = 2 ** 31 - 1;

function reasonOf(view: { readonly state: { status: string; reason?: unknown } }): unknown {
  expect(view.state.status).toBe('rejected');
  return view.state.reason;
}

/**
 * A task function that fails with a new `Error('failure N')` on its first
 * `failures` attempts, then resolves `value`; it records the signal of each attempt.
 */
function flaky<T>(failures: number, value: T) {
  const signals: AbortSignal[] = [];
  const errors: Error[] = [];
  const task = vi.fn(async (signal: AbortSignal): Promise<T> => {
    signals.push(signal);
    if (errors.length < failures) {
      const error = new Error(`failure ${errors.length + 1}`);
      errors.push(error);
      throw error;
    }
    return value;
  });
  return { task, signals, errors };
}

describe('retry: arguments, checked when it wraps', () => {
  it('throws a TypeError naming `task` when given a promise', () => {
    expect(() => retryAny(Promise.resolve(1))).toThrow(TypeError);
    expect(() => retryAny(Promise.resolve(1))).toThrow(/`task`.*instance of Promise/);
  });

  it('throws a TypeError naming `options` when they are not an object', () => {
    expect(() => retryAny(() => 1, 3)).toThrow(TypeError);
    expect(() => retryAny(() => 1, null)).toThrow(/`options`.*null/);
  });

  it('throws a TypeError naming `retries` when it is not a number', () => {
    expect(() => retryAny(() => 1, { retries: '3' })).toThrow(TypeError);
    expect(() => retryAny(() => 1, { retries: '3' })).toThrow(/`retries`.*"3" \(string\)/);
  });

  it.each([-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY])(
    'throws a RangeError naming `retries` for %s',
    (retries) => {
      expect(() => retryAny(() => 1, { retries })).toThrow(RangeError);
      expect(() => retryAny(() => 1, { retries })).toThrow(/`retries`/);
    },
  );

  it('throws a TypeError naming `delay` when it is neither a number nor a function', () => {
    expect(() => retryAny(() => 1, { delay: '100' })).toThrow(TypeError);
    expect(() => retryAny(() => 1, { delay: '100' })).toThrow(/`delay`/);
  });

  it.each([-1, Number.NaN])('throws a RangeError naming `delay` for %s', (delay) => {
    expect(() => retryAny(() => 1, { delay })).toThrow(RangeError);
    expect(() => retryAny(() => 1, { delay })).toThrow(/`delay`/);
  });

  it.each(['shouldRetry', 'onRetry'])(
    'throws a TypeError naming `%s` when it is not a function',
    (name) => {
      expect(() => retryAny(() => 1, { [name]: true })).toThrow(TypeError);
      expect(() => retryAny(() => 1, { [name]: true })).toThrow(new RegExp(`\`${name}\``));
    },
  );

  it('checks in order: task, options, retries, delay, shouldRetry, onRetry', () => {
    expect(() => retryAny(1, 2)).toThrow(/`task`/);
    expect(() => retryAny(() => 1, 2)).toThrow(/`options`/);
    const bad = { retries: -1, delay: -1, shouldRetry: 1, onRetry: 1 };
    expect(() => retryAny(() => 1, bad)).toThrow(/`retries`/);
    expect(() => retryAny(() => 1, { ...bad, retries: 1 })).toThrow(/`delay`/);
    expect(() => retryAny(() => 1, { ...bad, retries: 1, delay: 1 })).toThrow(/`shouldRetry`/);
    expect(() =>
      retryAny(() => 1, { ...bad, retries: 1, delay: 1, shouldRetry: undefined }),
    ).toThrow(/`onRetry`/);
  });

  it('takes options that are undefined as absent, and 0 and Infinity for `retries`', () => {
    const options: RetryOptions = {
      retries: undefined,
      delay: undefined,
      shouldRetry: undefined,
      onRetry: undefined,
    };
    expect(typeof retry(() => 1, options)).toBe('function');
    expect(typeof retry(() => 1, { retries: 0 })).toBe('function');
    expect(typeof retry(() => 1, { retries: Number.POSITIVE_INFINITY })).toBe('function');
  });
});

describe('retry: what the returned function is called with', () => {
  it('rejects with a TypeError, without calling the task, when called with something that is not a signal', async () => {
    const task = vi.fn(() => 1);
    const wrapped = retry(task) as unknown as LooseTask;
    await expect(wrapped('item')).rejects.toThrow(TypeError);
    await expect(wrapped(0)).rejects.toThrow(/retry returned.*0 \(number\)/);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the reason of an already-aborted signal without calling the task', async () => {
    const task = vi.fn(() => 1);
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    await expect(retry(task)(controller.signal)).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
  });

  it.each([undefined, null])(
    'called with %s, gives every attempt one signal of its own that is not aborted',
    async (absent) => {
      vi.useFakeTimers();
      try {
        const { task, signals } = flaky(2, 'value');
        const call = observe((retry(task, { delay: 10 }) as unknown as LooseTask)(absent));
        await vi.advanceTimersByTimeAsync(20);
        expect(call.state).toEqual({ status: 'fulfilled', value: 'value' });
        expect(signals).toHaveLength(3);
        expect(signals[0]).toBeInstanceOf(AbortSignal);
        expect(signals[0]?.aborted).toBe(false);
        expect(new Set(signals).size).toBe(1);
      } finally {
        vi.useRealTimers();
      }
    },
  );
});

describe('retry 1. attempts and the last failure', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls the task once and resolves with its value, the same object, when it succeeds', async () => {
    const value = { id: 1 };
    const { task } = flaky(0, value);
    await expect(retry(task)()).resolves.toBe(value);
    expect(task).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('calls the task again after a failure, and resolves once it succeeds', async () => {
    const { task } = flaky(2, 'third time');
    const call = observe(retry(task, { delay: 100 })());
    await vi.advanceTimersByTimeAsync(200);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'third time' });
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('after retries + 1 failed attempts, rejects with the last failure, the same object', async () => {
    const { task, errors } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(retry(task, { retries: 2, delay: 100 })());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(3);
    expect(reasonOf(call)).toBe(errors[2]);
  });

  it('makes 4 attempts by default (3 retries)', async () => {
    const { task, errors } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(retry(task)());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(4);
    expect(reasonOf(call)).toBe(errors[3]);
  });

  it('with retries: 0, makes one attempt and rejects with its failure', async () => {
    const { task, errors } = flaky(1, 'never');
    const call = observe(retry(task, { retries: 0 })());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(1);
    expect(reasonOf(call)).toBe(errors[0]);
  });

  it('retries a task function that throws synchronously, without throwing itself', async () => {
    let calls = 0;
    const wrapped = retry(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('sync');
        return 'second';
      },
      { delay: 10 },
    );
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = wrapped();
    }).not.toThrow();
    const call = observe(result as Promise<unknown>);
    await vi.advanceTimersByTimeAsync(10);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'second' });
  });

  it('calls the task afresh with the same outer signal for every attempt', async () => {
    const { task, signals } = flaky(2, 'ok');
    const outer = new AbortController().signal;
    const call = observe(retry(task, { delay: 10 })(outer));
    await vi.advanceTimersByTimeAsync(20);
    expect(call.state.status).toBe('fulfilled');
    expect(signals).toEqual([outer, outer, outer]);
  });

  it('with retries: Infinity, goes on until the task succeeds', async () => {
    const { task } = flaky(50, 'fifty-first');
    const call = observe(retry(task, { retries: Number.POSITIVE_INFINITY, delay: 1 })());
    await vi.advanceTimersByTimeAsync(50);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'fifty-first' });
    expect(task).toHaveBeenCalledTimes(51);
  });
});

describe('retry 2. the order after a failure, and the delay', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('numbers attempts from 1 and runs shouldRetry, onRetry, delay, then the wait, in that order', async () => {
    const log: string[] = [];
    const { task, errors } = flaky(2, 'ok');
    const call = observe(
      retry(
        (signal) => {
          log.push('attempt');
          return task(signal);
        },
        {
          shouldRetry: async (error, attempt) => {
            log.push(`shouldRetry ${attempt} ${(error as Error).message}`);
            return true;
          },
          onRetry: async (error, attempt) => {
            log.push(`onRetry ${attempt} ${(error as Error).message}`);
          },
          delay: (attempt, error) => {
            log.push(`delay ${attempt} ${(error as Error).message}`);
            return 100;
          },
        },
      )(),
    );
    await vi.advanceTimersByTimeAsync(99);
    log.push('99 ms');
    await vi.advanceTimersByTimeAsync(200);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(errors).toHaveLength(2);
    expect(log).toEqual([
      'attempt',
      'shouldRetry 1 failure 1',
      'onRetry 1 failure 1',
      'delay 1 failure 1',
      '99 ms',
      'attempt',
      'shouldRetry 2 failure 2',
      'onRetry 2 failure 2',
      'delay 2 failure 2',
      'attempt',
    ]);
  });

  it('waits the milliseconds `delay` gives, not one less', async () => {
    const { task } = flaky(1, 'ok');
    observe(retry(task, { delay: 250 })());
    await vi.advanceTimersByTimeAsync(249);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('rejects with the failure, and makes no further attempt, when shouldRetry says no', async () => {
    const { task, errors } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(
      retry(task, { delay: 10, shouldRetry: (_error, attempt) => attempt < 2 })(),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(task).toHaveBeenCalledTimes(2);
    expect(reasonOf(call)).toBe(errors[1]);
  });

  it('awaits a shouldRetry that resolves false', async () => {
    const { task, errors } = flaky(1, 'never');
    const call = observe(retry(task, { shouldRetry: async () => false })());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(1);
    expect(reasonOf(call)).toBe(errors[0]);
  });

  it('does not ask shouldRetry about the last allowed failure', async () => {
    const shouldRetry = vi.fn(() => true);
    const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(retry(task, { retries: 2, delay: 1, shouldRetry })());
    await vi.advanceTimersByTimeAsync(10);
    expect(call.state.status).toBe('rejected');
    expect(shouldRetry.mock.calls.map((args) => (args as unknown[])[1])).toEqual([1, 2]);
  });

  it('calls the callbacks as methods of the options', async () => {
    const seen: unknown[] = [];
    const options = {
      retries: 1,
      shouldRetry(this: unknown) {
        seen.push(this);
        return true;
      },
      onRetry(this: unknown) {
        seen.push(this);
      },
      delay(this: unknown) {
        seen.push(this);
        return 0;
      },
    };
    const call = observe(retry(flaky(1, 'ok').task, options)());
    await vi.advanceTimersByTimeAsync(0);
    expect(call.state.status).toBe('fulfilled');
    expect(seen).toEqual([options, options, options]);
  });

  it('by default waits 125–250 ms after the first failure (backoff with equal jitter)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { task } = flaky(1, 'ok');
    observe(retry(task)());
    await vi.advanceTimersByTimeAsync(124);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
  });

  it('waits until the signal aborts with a delay of Infinity, and arms no timer', async () => {
    const { task } = flaky(1, 'ok');
    const controller = new AbortController();
    const call = observe(retry(task, { delay: Number.POSITIVE_INFINITY })(controller.signal));
    await vi.advanceTimersByTimeAsync(MAX_TIMER * 2);
    expect(vi.getTimerCount()).toBe(0);
    expect(task).toHaveBeenCalledTimes(1);
    controller.abort('stop');
    await flushMicrotasks();
    expect(reasonOf(call)).toBe('stop');
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('honours a delay above 2³¹−1 ms: the next attempt is never early', async () => {
    const { task } = flaky(1, 'ok');
    const call = observe(retry(task, { delay: MAX_TIMER + 1_000 })());
    await vi.advanceTimersByTimeAsync(MAX_TIMER + 999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'ok' });
  });
});

describe('backoff: the default delay', () => {
  it.each([
    [1, 125, 250],
    [2, 250, 500],
    [3, 500, 1_000],
    [20, 15_000, 30_000],
  ])('after attempt %i waits between %i and %i ms', (attempt, low, high) => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    expect(backoff(attempt)).toBe(low);
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999_999);
    expect(backoff(attempt)).toBeCloseTo(high, 3);
    expect(backoff(attempt)).toBeLessThanOrEqual(high);
  });

  it('never exceeds 30 s, however many attempts have failed', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999_999);
    expect(backoff(10_000)).toBeLessThanOrEqual(30_000);
  });
});

describe('retry 3. callbacks that fail, and a bad delay', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['shouldRetry throws', 'shouldRetry', 'throw'],
    ['shouldRetry rejects', 'shouldRetry', 'reject'],
    ['onRetry throws', 'onRetry', 'throw'],
    ['onRetry rejects', 'onRetry', 'reject'],
    ['delay throws', 'delay', 'throw'],
  ])('%s: rejects with that error and starts no further attempt', async (_, name, how) => {
    const error = new Error(`${name} failed`);
    const callback =
      how === 'throw'
        ? () => {
            throw error;
          }
        : () => Promise.reject(error);
    const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(retryAny(task, { [name]: callback })());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reasonOf(call)).toBe(error);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it.each([-1, Number.NaN, '100', undefined])(
    'a delay function that returns %s rejects with a RangeError naming `delay`, and starts no further attempt',
    async (returned) => {
      const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
      const call = observe(retryAny(task, { delay: () => returned })());
      await vi.advanceTimersByTimeAsync(60_000);
      const reason = reasonOf(call);
      expect(reason).toBeInstanceOf(RangeError);
      expect((reason as Error).message).toMatch(/`delay`.*attempt 1/);
      expect(task).toHaveBeenCalledTimes(1);
    },
  );
});

describe('retry 4. cancellation is never retried', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a wait in progress at once, rejects with signal.reason, and starts no attempt', async () => {
    const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
    const controller = new AbortController();
    const call = observe(retry(task, { delay: 10_000 })(controller.signal));
    await vi.advanceTimersByTimeAsync(100);
    const reason = new Error('stop');
    controller.abort(reason);
    await flushMicrotasks();
    expect(reasonOf(call)).toBe(reason);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('treats a failure seen while the signal is aborted as cancellation: no shouldRetry, no retry, the signal’s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const shouldRetry = vi.fn(() => true);
    const task = vi.fn(
      (signal: AbortSignal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('fetch aborted')));
        }),
    );
    const call = observe(retry(task, { shouldRetry, delay: 0 })(controller.signal));
    controller.abort(reason);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reasonOf(call)).toBe(reason);
    expect(shouldRetry).not.toHaveBeenCalled();
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('resolves with an attempt that succeeds although the signal aborted while it ran', async () => {
    const controller = new AbortController();
    const { promise, resolve } = deferred<string>();
    const call = observe(retry(() => promise)(controller.signal));
    controller.abort();
    resolve('finished anyway');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'fulfilled', value: 'finished anyway' });
  });

  it.each(['shouldRetry', 'onRetry'])(
    'goes no further — no later callback, no attempt — when the signal aborts while %s is awaited',
    async (name) => {
      const controller = new AbortController();
      const answer = deferred<boolean>();
      const later = { onRetry: vi.fn(), delay: vi.fn(() => 0) };
      const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
      const call = observe(
        retryAny(task, { ...later, [name]: () => answer.promise })(controller.signal),
      );
      await flushMicrotasks();
      controller.abort('stop');
      answer.resolve(true);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(reasonOf(call)).toBe('stop');
      expect(task).toHaveBeenCalledTimes(1);
      if (name === 'shouldRetry') expect(later.onRetry).not.toHaveBeenCalled();
      expect(later.delay).not.toHaveBeenCalled();
    },
  );
});

describe('retry 5. one timer per wait, and no listener left behind', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds exactly one timer while it waits, and none once it settles', async () => {
    const { task } = flaky(2, 'ok');
    const call = observe(retry(task, { delay: 100 })());
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('fulfilled');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the wait’s timer when the signal aborts', async () => {
    const controller = new AbortController();
    observe(retry(flaky(1, 'ok').task, { delay: 100 })(controller.signal));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(vi.getTimerCount()).toBe(0);
  });

  itInNode('listens to the signal only while it waits, through one listener', async () => {
    const outer = new AbortController().signal;
    const gate = deferred<void>();
    let attempts = 0;
    const task = async () => {
      attempts += 1;
      await gate.promise;
      if (attempts === 1) throw new Error('first attempt fails');
      return 'ok';
    };
    const call = observe(retry(task, { delay: 100 })(outer));
    expect(abortListenerCount(outer)).toBe(0);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(abortListenerCount(outer)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('fulfilled');
    expect(abortListenerCount(outer)).toBe(0);
  });

  itInNode('puts one listener on a signal however many retries wait on it', async () => {
    const outer = new AbortController().signal;
    const calls = Array.from({ length: 100 }, () =>
      retry(flaky(1, 'ok').task, { delay: 100 })(outer),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(abortListenerCount(outer)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(calls);
    expect(abortListenerCount(outer)).toBe(0);
  });
});

describe('retry, real timers: the paths that take no time', () => {
  it('resolves at once when the first attempt succeeds synchronously', async () => {
    await expect(retry(() => 'now')()).resolves.toBe('now');
  });

  it('retries with a delay of 0', async () => {
    const { task } = flaky(2, 'third');
    await expect(retry(task, { delay: 0 })()).resolves.toBe('third');
    expect(task).toHaveBeenCalledTimes(3);
  });

  it('rejects with an already-aborted signal’s reason', async () => {
    await expect(retry(() => 1)(AbortSignal.abort('gone'))).rejects.toBe('gone');
  });
});

describe('retry: composition orders', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retry(withTimeout(task, 1_000)) gives every attempt its own second', async () => {
    const started: number[] = [];
    const task = () => {
      started.push(Date.now());
      return never();
    };
    const start = Date.now();
    const call = observe(retry(withTimeout(task, 1_000), { retries: 2, delay: 100 })());
    await vi.advanceTimersByTimeAsync(3_200);
    expect(started.map((at) => at - start)).toEqual([0, 1_100, 2_200]);
    expect(reasonOf(call)).toMatchObject({ name: 'TimeoutError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('withTimeout(retry(task), 5_000) bounds every attempt and wait together', async () => {
    const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
    const call = observe(
      withTimeout(retry(task, { retries: Number.POSITIVE_INFINITY, delay: 1_000 }), 5_000)(),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reasonOf(call)).toMatchObject({ name: 'TimeoutError' });
    const attempts = task.mock.calls.length;
    expect(attempts).toBe(5);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(attempts);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('isolate(retry(withTimeout(task, 2_000))) falls back once every attempt has timed out', async () => {
    const call = observe(
      isolate(
        retry(
          withTimeout(() => never(), 2_000),
          { retries: 1, delay: 0 },
        ),
        {
          fallback: null,
        },
      )(),
    );
    // A 0 ms timer waits 1 ms, as in Node and browsers.
    await vi.advanceTimersByTimeAsync(4_001);
    expect(call.state).toEqual({ status: 'fulfilled', value: null });
  });

  it('gather: a sibling’s failure ends a wait at once, and no attempt follows', async () => {
    const { task } = flaky(Number.POSITIVE_INFINITY, 'never');
    const failure = new Error('sibling');
    const call = observe(
      gather([
        retry(task, { delay: 1_000 }),
        () => new Promise((_resolve, reject) => setTimeout(reject, 500, failure)),
      ]),
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(reasonOf(call)).toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('gather: a flaky task retried to success does not fail the call', async () => {
    const call = observe(gather([retry(flaky(2, 'a').task, { delay: 10 }), async () => 'b']));
    await vi.advanceTimersByTimeAsync(20);
    expect(call.state).toEqual({ status: 'fulfilled', value: ['a', 'b'] });
  });

  it('TaskGroup.spawn: a spawned retried task resolves with its value', async () => {
    const group = new TaskGroup();
    const spawned = observe(group.spawn(retry(flaky(1, 'spawned').task, { delay: 10 })));
    const joined = observe(group.join());
    await vi.advanceTimersByTimeAsync(10);
    expect(spawned.state).toEqual({ status: 'fulfilled', value: 'spawned' });
    expect(joined.state.status).toBe('fulfilled');
  });

  it('first: a retried mirror wins once it answers, and the others are aborted', async () => {
    const { task, signals } = flaky(0, 'never used');
    const call = observe(
      first([
        retry(flaky(1, 'mirror 1').task, { delay: 10 }),
        (signal: AbortSignal) => task(signal).then(never),
      ]),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'mirror 1' });
    expect(signals[0]?.aborted).toBe(true);
  });

  it('asCompleted: a retried entry arrives with its value after its retries', async () => {
    const entries: unknown[] = [];
    const loop = (async () => {
      for await (const entry of asCompleted([
        retry(flaky(1, 'late').task, { delay: 50 }),
        async () => 'early',
      ])) {
        entries.push(entry);
      }
    })();
    await vi.advanceTimersByTimeAsync(50);
    await loop;
    expect(entries).toEqual([
      { key: 1, status: 'fulfilled', value: 'early' },
      { key: 0, status: 'fulfilled', value: 'late' },
    ]);
  });
});
