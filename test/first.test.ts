import { afterEach, describe, expect, it, vi } from 'vitest';
import { first } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';

afterEach(() => {
  vi.useRealTimers();
});

describe('first 1. the first task to fulfil wins, and the others are aborted', () => {
  it('resolves with the first value to fulfil, not the first in input order', async () => {
    const slow = deferred<string>();
    const fast = deferred<string>();
    const call = first([() => slow.promise, () => fast.promise]);
    fast.resolve('fast');
    await expect(call).resolves.toBe('fast');
  });

  it('aborts the losers with an "AbortError" whose own cause is undefined', async () => {
    const fast = deferred<string>();
    let loser: AbortSignal | undefined;
    const call = first([
      (signal) => {
        loser = signal;
        return never();
      },
      () => fast.promise,
    ]);
    fast.resolve('fast');
    await call;
    expect(loser?.aborted).toBe(true);
    expect(loser?.reason).toMatchObject({ name: 'AbortError' });
    expect(Object.getOwnPropertyDescriptor(loser?.reason, 'cause')).toMatchObject({
      value: undefined,
    });
  });

  it('wins with a task function that returns a plain value, and calls no later one', async () => {
    const remote = vi.fn(() => 'remote');
    await expect(first([() => 'cache', remote])).resolves.toBe('cache');
    expect(remote).not.toHaveBeenCalled();
  });

  it('wins with a plain value, as Promise.any does', async () => {
    await expect(first([never(), 7])).resolves.toBe(7);
  });

  it('awaits a plain value as Promise.any does: an already-fulfilled promise before it wins', async () => {
    const failure = new Error('down');
    const inputs = () => [Promise.reject(failure), Promise.resolve('earlier'), 'plain'];
    await expect(first(inputs())).resolves.toBe(await Promise.any(inputs()));
    await expect(first(inputs())).resolves.toBe('earlier');
    await expect(first(['plain', Promise.resolve('later')])).resolves.toBe('plain');
  });

  it('lets a task function that returns a plain value win over a plain value before it', async () => {
    const remote = vi.fn(() => 'remote');
    await expect(first(['default', () => 'cache', remote])).resolves.toBe('cache');
    expect(remote).not.toHaveBeenCalled();
  });

  it('ignores failures while another task can still fulfil', async () => {
    const later = deferred<string>();
    const call = first([() => Promise.reject(new Error('down')), () => later.promise]);
    await flushMicrotasks();
    later.resolve('mirror');
    await expect(call).resolves.toBe('mirror');
  });

  it('reads keyed input: a plain object and a Map', async () => {
    await expect(first({ a: never(), b: async () => 'b' })).resolves.toBe('b');
    await expect(first(new Map([['x', async () => 1]]))).resolves.toBe(1);
  });
});

describe('first 2. every task rejects: an AggregateError', () => {
  it('rejects with one reason per task, in input order, whatever order they failed in', async () => {
    const a = deferred();
    const b = deferred();
    const call = first([() => a.promise, () => b.promise]);
    const reasonA = new Error('a');
    const reasonB = new Error('b');
    b.reject(reasonB);
    a.reject(reasonA);
    const error: unknown = await call.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([reasonA, reasonB]);
    expect((error as AggregateError).errors[0]).toBe(reasonA);
  });

  it('counts a task function that throws as a rejection', async () => {
    const thrown = new Error('thrown');
    const error: unknown = await first([
      () => {
        throw thrown;
      },
    ]).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect((error as AggregateError).errors).toEqual([thrown]);
  });

  it('rejects empty input with an AggregateError with no errors', async () => {
    const error: unknown = await first([]).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors).toEqual([]);
  });
});

describe('first 3. the caller’s abort or the deadline before any task fulfilled', () => {
  it('rejects with the caller’s reason, not an AggregateError, and aborts the tasks with it', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    let seen: AbortSignal | undefined;
    const call = first(
      [
        (signal) => {
          seen = signal;
          return never();
        },
      ],
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen?.reason).toBe(reason);
  });

  it('rejects with a "TimeoutError" when the deadline passes first', async () => {
    vi.useFakeTimers();
    const call = observe(first([() => never()], { timeout: 50 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(call.state).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError' } });
  });

  it('rejects with an already-aborted caller signal’s reason and calls nothing', async () => {
    const controller = new AbortController();
    controller.abort('gone');
    const task = vi.fn(() => 1);
    await expect(first([task], { signal: controller.signal })).rejects.toBe('gone');
    expect(task).not.toHaveBeenCalled();
  });
});

describe('first 4. the options of gather', () => {
  it('with concurrency 1, starts the next task only when the running one fails', async () => {
    const primary = deferred<string>();
    const mirror = vi.fn(async () => 'mirror');
    const call = first([() => primary.promise, mirror], { concurrency: 1 });
    await flushMicrotasks();
    expect(mirror).not.toHaveBeenCalled();
    primary.reject(new Error('primary down'));
    await expect(call).resolves.toBe('mirror');
    expect(mirror).toHaveBeenCalledTimes(1);
  });

  it('with waitForCleanup, resolves only once the aborted losers have settled', async () => {
    const cleanup = deferred();
    const call = observe(
      first([() => cleanup.promise, async () => 'won'], { waitForCleanup: true }),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.resolve();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'fulfilled', value: 'won' });
  });

  it('rejects bad options as gather does, without calling a task', async () => {
    const task = vi.fn(() => 1);
    await expect(first([task], { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(first([task], { concurrency: 0 })).rejects.toThrow(/`concurrency`/);
    await expect(first(42 as never)).rejects.toThrow(/`tasks`/);
    expect(task).not.toHaveBeenCalled();
  });
});
