/**
 * SPEC › Task wrappers, `withTimeout(task, ms)` 1–4 and the rules both wrappers
 * share, under fake timers (and real ones for the paths that take no time).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  asCompleted,
  first,
  gather,
  gatherSettled,
  isolate,
  TaskGroup,
  withTimeout,
} from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { fulfillingThenable } from './support/fixtures';
import { abortListenerCount, itInNode } from './support/node-only';

/** Untyped access, for arguments the public types rightly refuse. */
const withTimeoutAny = withTimeout as unknown as (task: unknown, ms: unknown) => unknown;
type LooseTask = (signal?: unknown) => Promise<unknown>;

const MAX_TIMER = 2 ** 31 - 1;

/** The rejection reason of a settled observation, for `toBe` checks. */
function reasonOf(view: { readonly state: { status: string; reason?: unknown } }): unknown {
  expect(view.state.status).toBe('rejected');
  return view.state.reason;
}

function expectTimeoutError(reason: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'TimeoutError' });
  expect(Object.hasOwn(reason as object, 'cause')).toBe(true);
}

/** A task function that records the signals it is given and never settles. */
function stuck(): { task: (signal: AbortSignal) => Promise<never>; signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    signals,
    task: (signal) => {
      signals.push(signal);
      return never();
    },
  };
}

describe('withTimeout: arguments, checked when it wraps', () => {
  it('throws a TypeError naming `task` when given a promise', () => {
    const promise = Promise.resolve(1);
    expect(() => withTimeoutAny(promise, 100)).toThrow(TypeError);
    expect(() => withTimeoutAny(promise, 100)).toThrow(/`task`.*instance of Promise/);
  });

  it('throws a TypeError naming `ms` when it is not a number', () => {
    expect(() => withTimeoutAny(() => 1, '100')).toThrow(TypeError);
    expect(() => withTimeoutAny(() => 1, '100')).toThrow(/`ms`.*"100" \(string\)/);
  });

  it.each([-1, Number.NaN, Number.NEGATIVE_INFINITY])(
    'throws a RangeError naming `ms` for %s',
    (ms) => {
      expect(() => withTimeoutAny(() => 1, ms)).toThrow(RangeError);
      expect(() => withTimeoutAny(() => 1, ms)).toThrow(/`ms`/);
    },
  );

  it('checks `task` before `ms`', () => {
    expect(() => withTimeoutAny(42, -1)).toThrow(/`task`/);
  });

  it('accepts 0 and Infinity', () => {
    expect(typeof withTimeout(() => 1, 0)).toBe('function');
    expect(typeof withTimeout(() => 1, Number.POSITIVE_INFINITY)).toBe('function');
  });
});

describe('withTimeout: what the returned function is called with', () => {
  it('rejects with a TypeError, without calling the task, when called with something that is not a signal', async () => {
    const task = vi.fn(() => 1);
    const wrapped = withTimeout(task, 100) as unknown as LooseTask;
    await expect(wrapped(42)).rejects.toThrow(TypeError);
    await expect(wrapped({ aborted: false })).rejects.toThrow(/AbortSignal.*an object/);
    expect(task).not.toHaveBeenCalled();
  });

  it('does not throw synchronously when called with something that is not a signal', () => {
    const wrapped = withTimeout(() => 1, 100) as unknown as LooseTask;
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = wrapped('item');
    }).not.toThrow();
    return expect(result).rejects.toThrow(TypeError);
  });

  it.each([undefined, null])('runs the task when called with %s', async (absent) => {
    const wrapped = withTimeout(() => 'value', 100) as unknown as LooseTask;
    await expect(wrapped(absent)).resolves.toBe('value');
  });

  it('accepts a signal-like object (another realm’s signal, a polyfill)', async () => {
    const target = new EventTarget();
    const like = {
      aborted: false,
      reason: undefined as unknown,
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    };
    const { task, signals } = stuck();
    const call = observe((withTimeout(task, 1_000) as unknown as LooseTask)(like));
    const reason = new Error('polyfilled abort');
    like.aborted = true;
    like.reason = reason;
    target.dispatchEvent(new Event('abort'));
    await flushMicrotasks();
    expect(reasonOf(call)).toBe(reason);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('rejects with the reason of an already-aborted signal without calling the task', async () => {
    const task = vi.fn(() => 1);
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    await expect(withTimeout(task, 100)(controller.signal)).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
  });
});

describe('withTimeout 1. the time counts from the call of the returned function', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not count the time before the call', async () => {
    const wrapped = withTimeout(stuck().task, 100);
    await vi.advanceTimersByTimeAsync(500);
    const call = observe(wrapped());
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expectTimeoutError(reasonOf(call));
  });

  it('counts from when a limiter starts the task, not from the start of the gather', async () => {
    const ahead = deferred<number>();
    const call = observe(
      gather([() => ahead.promise, withTimeout(stuck().task, 100)], { concurrency: 1 }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(call.state.status).toBe('pending');
    ahead.resolve(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expectTimeoutError(reasonOf(call));
  });

  it('gives each call its own time', async () => {
    const wrapped = withTimeout(stuck().task, 100);
    const early = observe(wrapped());
    await vi.advanceTimersByTimeAsync(60);
    const late = observe(wrapped());
    await vi.advanceTimersByTimeAsync(40);
    expect(early.state.status).toBe('rejected');
    expect(late.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(60);
    expect(late.state.status).toBe('rejected');
  });

  it('with 0, arms a 0 ms timer: a task not settled by then is cut off', async () => {
    const call = observe(withTimeout(stuck().task, 0)());
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(0);
    expectTimeoutError(reasonOf(call));
  });

  it('with 0, lets a task that settles in microtasks win', async () => {
    const call = observe(withTimeout(async () => 'quick', 0)());
    await vi.advanceTimersByTimeAsync(0);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'quick' });
  });

  it('honours a time above 2³¹−1 ms: never fired early', async () => {
    const call = observe(withTimeout(stuck().task, MAX_TIMER + 1_000)());
    await vi.advanceTimersByTimeAsync(MAX_TIMER);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(999);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expectTimeoutError(reasonOf(call));
  });

  it('arms no timer for Infinity', async () => {
    const call = observe(withTimeout(stuck().task, Number.POSITIVE_INFINITY)());
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(MAX_TIMER * 4);
    expect(call.state.status).toBe('pending');
  });

  it('arms no timer and calls nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const task = vi.fn(() => 1);
    const call = observe(withTimeout(task, 100)(controller.signal));
    expect(vi.getTimerCount()).toBe(0);
    await flushMicrotasks();
    expect(reasonOf(call)).toBe(controller.signal.reason);
  });
});

describe('withTimeout 2. the task’s own signal, and the time passing first', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the task a signal of its own, not the outer one', async () => {
    const { task, signals } = stuck();
    const outer = new AbortController().signal;
    observe(withTimeout(task, 100)(outer));
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[0]).not.toBe(outer);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('gives every call a fresh signal', async () => {
    const { task, signals } = stuck();
    const wrapped = withTimeout(task, 100);
    observe(wrapped());
    observe(wrapped());
    expect(signals[0]).not.toBe(signals[1]);
  });

  it('aborts the task’s signal with a "TimeoutError" and rejects with that same object', async () => {
    const { task, signals } = stuck();
    const call = observe(withTimeout(task, 100)());
    await vi.advanceTimersByTimeAsync(100);
    const reason = reasonOf(call);
    expectTimeoutError(reason);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('rejects at once, without waiting for a task that ignores its signal', async () => {
    const ignoring = deferred<string>();
    const call = observe(withTimeout(() => ignoring.promise, 100)());
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('rejected');
    ignoring.resolve('too late');
    await flushMicrotasks();
    expect(call.state.status).toBe('rejected');
  });

  it('reports no unhandled rejection when a cut-off task rejects later', async () => {
    const ignoring = deferred<string>();
    const call = observe(withTimeout(() => ignoring.promise, 100)());
    await vi.advanceTimersByTimeAsync(100);
    ignoring.reject(new Error('late failure'));
    await flushMicrotasks();
    expectTimeoutError(reasonOf(call));
  });

  it('uses an Error named "TimeoutError" with an own `cause` where DOMException is missing', async () => {
    vi.stubGlobal('DOMException', undefined);
    const call = observe(withTimeout(stuck().task, 100)());
    await vi.advanceTimersByTimeAsync(100);
    const reason = reasonOf(call);
    expect(reason).toBeInstanceOf(Error);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(Object.hasOwn(reason as object, 'cause')).toBe(true);
  });

  it('clears its timer when the time passes', async () => {
    observe(withTimeout(stuck().task, 100)());
    await vi.advanceTimersByTimeAsync(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  itInNode('removes its listener from the outer signal when the time passes', async () => {
    const outer = new AbortController().signal;
    observe(withTimeout(stuck().task, 100)(outer));
    expect(abortListenerCount(outer)).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(abortListenerCount(outer)).toBe(0);
  });

  itInNode(
    'lifts Node’s listener cap on the task’s own signal: 11 listeners print no warning',
    () => {
      const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      observe(
        withTimeout((signal) => {
          for (let index = 0; index < 11; index++) signal.addEventListener('abort', () => {});
          return never();
        }, 100)(),
      );
      const warnings = emitWarning.mock.calls.filter((args) =>
        args.some((arg) => String(arg).includes('MaxListenersExceeded')),
      );
      expect(warnings).toEqual([]);
    },
  );
});

describe('withTimeout 3. the outer signal aborting first', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts the task’s signal with the outer reason, the same object', () => {
    const { task, signals } = stuck();
    const controller = new AbortController();
    observe(withTimeout(task, 100)(controller.signal));
    const reason = new Error('outer');
    controller.abort(reason);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('rejects at once with the outer reason when the task has not settled', async () => {
    const controller = new AbortController();
    const call = observe(withTimeout(stuck().task, 100)(controller.signal));
    const reason = new Error('outer');
    controller.abort(reason);
    await flushMicrotasks();
    expect(reasonOf(call)).toBe(reason);
  });

  it('clears the timer when the outer signal aborts', () => {
    const controller = new AbortController();
    observe(withTimeout(stuck().task, 100)(controller.signal));
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows an outer signal that the task itself aborts while it starts', async () => {
    const controller = new AbortController();
    const reason = new Error('aborted by the task');
    let own: AbortSignal | undefined;
    const call = observe(
      withTimeout((signal) => {
        own = signal;
        controller.abort(reason);
        return never();
      }, 100)(controller.signal),
    );
    await flushMicrotasks();
    expect(own?.reason).toBe(reason);
    expect(reasonOf(call)).toBe(reason);
  });

  it('leaves the task’s signal alone when the outer signal aborts after the task settled', async () => {
    const { promise, resolve } = deferred<string>();
    let own: AbortSignal | undefined;
    const controller = new AbortController();
    const call = observe(
      withTimeout((signal) => {
        own = signal;
        return promise;
      }, 100)(controller.signal),
    );
    resolve('done');
    await flushMicrotasks();
    controller.abort();
    expect(own?.aborted).toBe(false);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'done' });
  });
});

describe('withTimeout 4. otherwise, the task’s outcome', () => {
  it('resolves with the task’s value, the same object', async () => {
    const value = { id: 1 };
    await expect(withTimeout(async () => value, 100)()).resolves.toBe(value);
  });

  it('rejects with the task’s failure, the same object', async () => {
    const failure = new Error('task failed');
    await expect(withTimeout(() => Promise.reject(failure), 100)()).rejects.toBe(failure);
  });

  it('rejects with what the task function throws, without throwing itself', async () => {
    const failure = new Error('thrown');
    const wrapped = withTimeout(() => {
      throw failure;
    }, 100);
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = wrapped();
    }).not.toThrow();
    await expect(result).rejects.toBe(failure);
  });

  it('resolves with a plain value the task function returns', async () => {
    await expect(withTimeout(() => 7, 100)()).resolves.toBe(7);
  });

  it('adopts a thenable the task function returns', async () => {
    await expect(withTimeout(() => fulfillingThenable('adopted'), 100)()).resolves.toBe('adopted');
  });

  it('settles with a task that settles at 99 ms of 100', async () => {
    vi.useFakeTimers();
    try {
      const call = observe(
        withTimeout(() => new Promise((resolve) => setTimeout(resolve, 99, 'in time')), 100)(),
      );
      await vi.advanceTimersByTimeAsync(100);
      expect(call.state).toEqual({ status: 'fulfilled', value: 'in time' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('clears its timer the moment the task settles', async () => {
    vi.useFakeTimers();
    try {
      const { promise, resolve } = deferred<number>();
      const call = observe(withTimeout(() => promise, 60_000)());
      expect(vi.getTimerCount()).toBe(1);
      resolve(1);
      await flushMicrotasks();
      expect(call.state.status).toBe('fulfilled');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  itInNode('removes its listener from the outer signal the moment the task settles', async () => {
    const outer = new AbortController().signal;
    const { promise, reject } = deferred<number>();
    const call = observe(withTimeout(() => promise, 60_000)(outer));
    expect(abortListenerCount(outer)).toBe(1);
    reject(new Error('failed'));
    await flushMicrotasks();
    expect(call.state.status).toBe('rejected');
    expect(abortListenerCount(outer)).toBe(0);
  });

  itInNode(
    'puts one listener on the outer signal however many wrapped tasks share it',
    async () => {
      const outer = new AbortController().signal;
      const gate = deferred<number>();
      const wrapped = withTimeout(() => gate.promise, 60_000);
      const calls = Array.from({ length: 100 }, () => wrapped(outer));
      expect(abortListenerCount(outer)).toBe(1);
      gate.resolve(1);
      await Promise.all(calls);
      expect(abortListenerCount(outer)).toBe(0);
    },
  );
});

describe('withTimeout, real timers: the paths that take no time', () => {
  it('resolves a synchronous task at once', async () => {
    await expect(withTimeout(() => 'now', 60_000)()).resolves.toBe('now');
  });

  it('cuts off a stuck task after 0 ms', async () => {
    const { task, signals } = stuck();
    const reason = await withTimeout(task, 0)().catch((error: unknown) => error);
    expectTimeoutError(reason);
    expect(signals[0]?.reason).toBe(reason);
  });

  it('rejects with an already-aborted signal’s reason', async () => {
    const signal = AbortSignal.abort('gone');
    await expect(withTimeout(() => 1, 0)(signal)).rejects.toBe('gone');
  });
});

describe('withTimeout with the family of functions', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gather: a per-task timeout is that task’s failure — siblings aborted, the TimeoutError is the rejection', async () => {
    let sibling: AbortSignal | undefined;
    const call = observe(
      gather([
        withTimeout(stuck().task, 100),
        (signal) => {
          sibling = signal;
          return never();
        },
      ]),
    );
    await vi.advanceTimersByTimeAsync(100);
    const reason = reasonOf(call);
    expectTimeoutError(reason);
    expect(sibling?.reason).toMatchObject({ name: 'AbortError' });
    expect((sibling?.reason as { cause?: unknown } | undefined)?.cause).toBe(reason);
  });

  it('gather: keeps the other results when every wrapped task is in time', async () => {
    const call = observe(
      gather([withTimeout(async () => 1, 100), withTimeout(async () => 'two', 100)]),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(call.state).toEqual({ status: 'fulfilled', value: [1, 'two'] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gather: a sibling’s failure aborts the wrapped task’s own signal, and clears its timer', async () => {
    const { task, signals } = stuck();
    const failure = new Error('sibling failed');
    const call = observe(gather([withTimeout(task, 60_000), () => Promise.reject(failure)]));
    await flushMicrotasks();
    expect(reasonOf(call)).toBe(failure);
    expect(signals[0]?.reason).toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gatherSettled: the timed-out slot reads the TimeoutError, the others their own outcome', async () => {
    const call = observe(gatherSettled([withTimeout(stuck().task, 100), async () => 2]));
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('fulfilled');
    const [late, done] = (call.state as { value: PromiseSettledResult<unknown>[] }).value;
    expect(late?.status).toBe('rejected');
    expectTimeoutError((late as PromiseRejectedResult).reason);
    expect(done).toEqual({ status: 'fulfilled', value: 2 });
  });

  it('isolate: a per-task timeout is contained — the fallback, and the outer signal is not aborted', async () => {
    let outer: AbortSignal | undefined;
    const onError = vi.fn();
    const call = observe(
      gather([
        isolate(withTimeout(stuck().task, 100), { fallback: 'fallback', onError }),
        (signal) => {
          outer = signal;
          return new Promise((resolve) => setTimeout(resolve, 200, 'sibling'));
        },
      ]),
    );
    await vi.advanceTimersByTimeAsync(200);
    expect(call.state).toEqual({ status: 'fulfilled', value: ['fallback', 'sibling'] });
    expect(outer?.aborted).toBe(false);
    expectTimeoutError(onError.mock.calls[0]?.[0]);
  });

  it('TaskGroup.spawn: a spawned wrapped task times out and fails the group', async () => {
    const group = new TaskGroup();
    const spawned = observe(group.spawn(withTimeout(stuck().task, 100)));
    const joined = observe(group.join());
    await vi.advanceTimersByTimeAsync(100);
    expectTimeoutError(reasonOf(spawned));
    expect(reasonOf(joined)).toBe(reasonOf(spawned));
  });

  it('first: a mirror cut off by its timeout loses, and the next one wins', async () => {
    const call = observe(
      first(
        [
          withTimeout(stuck().task, 100),
          withTimeout(() => new Promise((resolve) => setTimeout(resolve, 150, 'mirror 2')), 1_000),
        ],
        { concurrency: 1 },
      ),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(150);
    expect(call.state).toEqual({ status: 'fulfilled', value: 'mirror 2' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('asCompleted: the timed-out entry is rejected, the others go on', async () => {
    const entries: unknown[] = [];
    const loop = (async () => {
      for await (const entry of asCompleted([
        withTimeout(stuck().task, 100),
        () => new Promise((resolve) => setTimeout(resolve, 300, 'slow')),
      ])) {
        entries.push(entry);
      }
    })();
    await vi.advanceTimersByTimeAsync(300);
    await loop;
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ key: 0, status: 'rejected' });
    expectTimeoutError((entries[0] as { reason: unknown }).reason);
    expect(entries[1]).toEqual({ key: 1, status: 'fulfilled', value: 'slow' });
  });
});
