import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf, manualThenable } from './support/fixtures';
import { labels, probe } from './support/running';

/** Untyped access, for arguments the public types rightly refuse. */
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;
const gatherSettledAny = gatherSettled as unknown as (
  tasks: unknown,
  options?: unknown,
) => Promise<unknown>;

afterEach(() => {
  vi.useRealTimers();
});

function expectAbortErrorCausedBy(reason: unknown, failure: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'AbortError' });
  expect(causeOf(reason)).toBe(failure);
}

function expectTimeoutError(reason: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'TimeoutError' });
}

describe('Concurrency limit 1. concurrency: the bound', () => {
  // Settles the ten tasks one at a time, out of order, and checks after each step
  // that exactly min(3, tasks not yet settled) are running.
  const settleOrder = [2, 0, 5, 1, 9, 3, 4, 8, 6, 7];

  it('runs at most n task functions of a gather at once, and reaches n', async () => {
    const tasks = probe();
    const names = labels('t', 10);
    const call = observe(
      gather(
        names.map((name) => tasks.task(name)),
        { concurrency: 3 },
      ),
    );
    expect(tasks.running).toBe(3);
    for (const [step, index] of settleOrder.entries()) {
      tasks.resolve(`t${index}`);
      await flushMicrotasks();
      expect(tasks.running).toBe(Math.min(3, names.length - step - 1));
    }
    expect(tasks.maxRunning).toBe(3);
    expect(call.state).toEqual({ status: 'fulfilled', value: names });
  });

  it('runs at most n task functions of a gatherSettled at once, and reaches n', async () => {
    const tasks = probe();
    const names = labels('t', 10);
    const call = observe(
      gatherSettled(
        names.map((name) => tasks.task(name)),
        { concurrency: 3 },
      ),
    );
    expect(tasks.running).toBe(3);
    for (const [step, index] of settleOrder.entries()) {
      if (index % 2 === 0) tasks.resolve(`t${index}`);
      else tasks.reject(`t${index}`, index);
      await flushMicrotasks();
      expect(tasks.running).toBe(Math.min(3, names.length - step - 1));
    }
    expect(tasks.maxRunning).toBe(3);
    expect(call.state).toEqual({
      status: 'fulfilled',
      value: names.map((name, index) =>
        index % 2 === 0
          ? { status: 'fulfilled', value: name }
          : { status: 'rejected', reason: index },
      ),
    });
  });

  it('counts a task function as running until the thenable it returned settles', async () => {
    const returned = manualThenable<string>();
    const next = vi.fn(() => 'next');
    const call = gather([() => returned, next], { concurrency: 1 });
    await flushMicrotasks();
    expect(next).not.toHaveBeenCalled();
    returned.resolve('first');
    await flushMicrotasks();
    expect(next).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toEqual(['first', 'next']);
  });

  it('bounds each call on its own: two calls with concurrency 1 each run one task function', async () => {
    const tasks = probe();
    const first = gather([tasks.task('a0'), tasks.task('a1')], { concurrency: 1 });
    const second = gather([tasks.task('b0'), tasks.task('b1')], { concurrency: 1 });
    expect(tasks.started).toEqual(['a0', 'b0']);
    for (const name of ['a0', 'b0', 'a1', 'b1']) tasks.resolve(name);
    await expect(first).resolves.toEqual(['a0', 'a1']);
    await expect(second).resolves.toEqual(['b0', 'b1']);
    expect(tasks.maxRunning).toBe(2);
  });
});

describe('Concurrency limit 1. concurrency: starts', () => {
  it('calls the first n task functions synchronously during the gather call, and no more', () => {
    const tasks = probe();
    const call = gather(
      labels('t', 5).map((name) => tasks.task(name)),
      { concurrency: 2 },
    );
    expect(tasks.started).toEqual(['t0', 't1']);
    for (const name of labels('t', 5)) tasks.resolve(name);
    return call;
  });

  it('calls the first n task functions synchronously during the gatherSettled call, and no more', () => {
    const tasks = probe();
    const call = gatherSettled(
      labels('t', 5).map((name) => tasks.task(name)),
      { concurrency: 2 },
    );
    expect(tasks.started).toEqual(['t0', 't1']);
    for (const name of labels('t', 5)) tasks.resolve(name);
    return call;
  });

  it('starts task functions in input order, whatever order the running ones settle in', async () => {
    const tasks = probe();
    const names = labels('t', 6);
    const call = gather(
      names.map((name) => tasks.task(name)),
      { concurrency: 2 },
    );
    for (const index of [1, 0, 3, 2, 5, 4]) {
      tasks.resolve(`t${index}`);
      await flushMicrotasks();
    }
    expect(tasks.started).toEqual(names);
    await expect(call).resolves.toEqual(names);
  });

  it('starts the task functions of a plain object and of a Map in key order', async () => {
    const tasks = probe();
    const objectCall = gather(
      { b: tasks.task('b'), a: tasks.task('a'), c: tasks.task('c') },
      { concurrency: 1 },
    );
    const mapCall = gather(
      new Map([
        ['z', tasks.task('z')],
        ['y', tasks.task('y')],
      ]),
      { concurrency: 1 },
    );
    for (const name of ['b', 'z', 'a', 'y', 'c']) {
      tasks.resolve(name);
      await flushMicrotasks();
    }
    expect(tasks.started).toEqual(['b', 'z', 'a', 'y', 'c']);
    await objectCall;
    await mapCall;
  });

  it('skips promises and plain values when it counts the first n task functions', () => {
    const tasks = probe();
    const call = gather(
      ['value', tasks.task('t0'), Promise.resolve(1), tasks.task('t1'), tasks.task('t2')],
      {
        concurrency: 2,
      },
    );
    expect(tasks.started).toEqual(['t0', 't1']);
    for (const name of labels('t', 3)) tasks.resolve(name);
    return call;
  });

  it('starts the next task function in the microtask that observes a settlement, before later reactions to it', async () => {
    const first = deferred<string>();
    const next = vi.fn(() => 'next');
    const call = gather([() => first.promise, next], { concurrency: 1 });
    let startedWhenObserved: boolean | undefined;
    // Registered after the call's own reaction to the same promise.
    void first.promise.then(() => {
      startedWhenObserved = next.mock.calls.length === 1;
    });
    first.resolve('first');
    await first.promise;
    expect(startedWhenObserved).toBe(true);
    await expect(call).resolves.toEqual(['first', 'next']);
  });

  it('hands a slot on without a timer', async () => {
    vi.useFakeTimers();
    const tasks = probe();
    const call = observe(
      gather(
        labels('t', 3).map((name) => tasks.task(name)),
        { concurrency: 1 },
      ),
    );
    for (const name of labels('t', 3)) {
      tasks.resolve(name);
      await flushMicrotasks();
    }
    expect(tasks.started).toEqual(['t0', 't1', 't2']);
    expect(call.state).toEqual({ status: 'fulfilled', value: ['t0', 't1', 't2'] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands on the slot of a task that fails in gatherSettled, since a failure stops nothing', async () => {
    const tasks = probe();
    const failure = new Error('fail');
    const call = gatherSettled([tasks.task('t0'), tasks.task('t1')], { concurrency: 1 });
    tasks.reject('t0', failure);
    await flushMicrotasks();
    expect(tasks.started).toEqual(['t0', 't1']);
    tasks.resolve('t1');
    await expect(call).resolves.toEqual([
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 't1' },
    ]);
  });

  it('calls every task function synchronously with `concurrency: Infinity`', () => {
    const tasks = probe();
    const names = labels('t', 50);
    const call = gather(
      names.map((name) => tasks.task(name)),
      { concurrency: Number.POSITIVE_INFINITY },
    );
    expect(tasks.started).toEqual(names);
    for (const name of names) tasks.resolve(name);
    return call;
  });

  it('calls every task function synchronously when the bound is at least their number', () => {
    const tasks = probe();
    const call = gather(
      labels('t', 3).map((name) => tasks.task(name)),
      { concurrency: 3 },
    );
    expect(tasks.started).toEqual(['t0', 't1', 't2']);
    for (const name of labels('t', 3)) tasks.resolve(name);
    return call;
  });
});

describe('Concurrency limit 1. concurrency: task functions that settle when they return', () => {
  it('frees the slot of a task function that returns a plain value in the same turn, and starts the next', () => {
    const order: string[] = [];
    const held = deferred<string>();
    const queued = vi.fn(() => 'queued');
    const call = gather(
      [
        () => {
          order.push('a');
          return 'a';
        },
        () => {
          order.push('b');
          return 'b';
        },
        () => {
          order.push('c');
          return held.promise;
        },
        queued,
      ],
      { concurrency: 1 },
    );
    expect(order).toEqual(['a', 'b', 'c']);
    expect(queued).not.toHaveBeenCalled();
    held.resolve('c');
    return expect(call).resolves.toEqual(['a', 'b', 'c', 'queued']);
  });

  it('frees the slot of a task function that throws in gatherSettled in the same turn, and starts the next', async () => {
    const failure = new Error('thrown');
    const next = vi.fn(() => 'next');
    const call = gatherSettled(
      [
        () => {
          throw failure;
        },
        next,
      ],
      { concurrency: 1 },
    );
    expect(next).toHaveBeenCalledTimes(1);
    await expect(call).resolves.toEqual([
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'next' },
    ]);
  });

  it('fills freed slots with synchronous task functions while asynchronous ones hold the others', () => {
    const tasks = probe();
    const sync = vi.fn(() => 'sync');
    const call = gather([tasks.task('t0'), sync, sync, tasks.task('t1'), tasks.task('t2')], {
      concurrency: 2,
    });
    expect(sync).toHaveBeenCalledTimes(2);
    expect(tasks.started).toEqual(['t0', 't1']);
    for (const name of labels('t', 3)) tasks.resolve(name);
    return expect(call).resolves.toEqual(['t0', 'sync', 'sync', 't1', 't2']);
  });

  it('runs a million synchronous task functions at concurrency 1 within the call, without overflowing the stack', async () => {
    const count = 1_000_000;
    let calls = 0;
    const tasks = Array.from({ length: count }, (_, index) => () => {
      calls++;
      return index;
    });
    const call = gather(tasks, { concurrency: 1 });
    expect(calls).toBe(count);
    const results = await call;
    expect(results).toHaveLength(count);
    expect(results.findIndex((value, index) => value !== index)).toBe(-1);
  });

  it('runs a million synchronous task functions queued behind an asynchronous one in one turn when its slot frees, without overflowing the stack', async () => {
    const count = 1_000_000;
    const first = deferred<number>();
    let calls = 0;
    const tasks: Array<() => number | Promise<number>> = [() => first.promise];
    for (let index = 1; index <= count; index++) {
      tasks.push(() => {
        calls++;
        return index;
      });
    }
    const call = observe(gather(tasks, { concurrency: 1 }));
    expect(calls).toBe(0);
    let callsWhenObserved: number | undefined;
    // Registered after the call's own reaction to the same promise.
    void first.promise.then(() => {
      callsWhenObserved = calls;
    });
    first.resolve(0);
    await flushMicrotasks();
    expect(callsWhenObserved).toBe(count);
    expect(call.state.status).toBe('fulfilled');
    const results = call.state.status === 'fulfilled' ? call.state.value : [];
    expect(results).toHaveLength(count + 1);
    expect(results.findIndex((value, index) => value !== index)).toBe(-1);
  });
});

describe('Concurrency limit 1. concurrency: many asynchronous task functions', () => {
  it('completes 100,000 asynchronous task functions at concurrency 10, in input order, at most 10 at once', async () => {
    const count = 100_000;
    let running = 0;
    let maxRunning = 0;
    const tasks = Array.from({ length: count }, (_, index) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await null;
      running--;
      return index;
    });
    const results = await gather(tasks, { concurrency: 10 });
    expect(results).toHaveLength(count);
    expect(results.findIndex((value, index) => value !== index)).toBe(-1);
    expect(maxRunning).toBe(10);
  });
});

describe('Concurrency limit 1. concurrency: promises and plain values are not limited', () => {
  it('gives no slot to a promise or a plain value: the task function after them is called at once', () => {
    const task = vi.fn(() => 'task');
    const call = gather([never(), 'plain', Promise.resolve(1), task], { concurrency: 1 });
    expect(task).toHaveBeenCalledTimes(1);
    void call;
  });

  it('awaits a promise at once while every slot is held: its rejection fails the call', async () => {
    const failure = new Error('promise failed');
    const held = probe();
    const queued = vi.fn();
    const call = gather([held.task('t0'), Promise.reject(failure), queued], { concurrency: 1 });
    await expect(call).rejects.toBe(failure);
    expect(held.running).toBe(1);
    expect(queued).not.toHaveBeenCalled();
  });

  it('awaits a thenable at once while every slot is held', async () => {
    const held = probe();
    const thenable = manualThenable<string>();
    const call = gatherSettled([held.task('t0'), thenable], { concurrency: 1 });
    await flushMicrotasks();
    expect(thenable.calls).toBe(1);
    thenable.resolve('adopted');
    held.resolve('t0');
    await expect(call).resolves.toEqual([
      { status: 'fulfilled', value: 't0' },
      { status: 'fulfilled', value: 'adopted' },
    ]);
  });
});

describe('Concurrency limit 1. concurrency: after a failure or an abort', () => {
  it('never calls a queued task function after a sibling rejects, even once slots are freed', async () => {
    const tasks = probe();
    const failure = new Error('fail');
    const queued = vi.fn();
    const call = gather([tasks.task('t0'), tasks.task('t1'), queued, queued], { concurrency: 2 });
    tasks.reject('t1', failure);
    await expect(call).rejects.toBe(failure);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });

  it('aborts the signal of a running task function when a sibling rejects', async () => {
    const tasks = probe();
    const failure = new Error('fail');
    const call = gather([tasks.task('t0'), tasks.task('t1'), tasks.task('t2')], {
      concurrency: 2,
    });
    tasks.reject('t1', failure);
    await expect(call).rejects.toBe(failure);
    expect(tasks.signalOf('t0')?.aborted).toBe(true);
    expectAbortErrorCausedBy(tasks.signalOf('t0')?.reason, failure);
  });

  it('never calls a queued task function after a task function throws synchronously', async () => {
    const failure = new Error('thrown');
    const queued = vi.fn();
    const call = gather(
      [
        () => {
          throw failure;
        },
        queued,
      ],
      { concurrency: 1 },
    );
    await expect(call).rejects.toBe(failure);
    expect(queued).not.toHaveBeenCalled();
  });

  it('never calls a queued task function after the caller aborts, and aborts the running ones with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller aborted');
    const tasks = probe();
    const queued = vi.fn();
    const call = gather([tasks.task('t0'), queued], {
      concurrency: 1,
      signal: controller.signal,
    });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(tasks.signalOf('t0')?.reason).toBe(reason);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });

  it('never calls a queued task function after a task function aborts the caller’s signal when called', async () => {
    const controller = new AbortController();
    const reason = new Error('aborted by a task');
    const queued = vi.fn();
    const call = gather(
      [
        () => {
          controller.abort(reason);
          return 'done';
        },
        queued,
      ],
      { concurrency: 1, signal: controller.signal },
    );
    await expect(call).rejects.toBe(reason);
    expect(queued).not.toHaveBeenCalled();
  });

  it('never calls a queued task function after the deadline, and aborts the running ones with the "TimeoutError"', async () => {
    vi.useFakeTimers();
    const tasks = probe();
    const queued = vi.fn();
    const call = observe(gather([tasks.task('t0'), queued], { concurrency: 1, timeout: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('rejected');
    const reason = call.state.status === 'rejected' ? call.state.reason : undefined;
    expectTimeoutError(reason);
    expect(tasks.signalOf('t0')?.reason).toBe(reason);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });

  it('counts time queued behind the bound against the deadline', async () => {
    vi.useFakeTimers();
    const tasks = probe();
    const call = observe(
      gather([tasks.task('t0'), tasks.task('t1')], { concurrency: 1, timeout: 100 }),
    );
    await vi.advanceTimersByTimeAsync(60);
    tasks.resolve('t0');
    await vi.advanceTimersByTimeAsync(39);
    expect(tasks.started).toEqual(['t0', 't1']);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state.status).toBe('rejected');
  });

  it('in gatherSettled, never calls a queued task function after the caller aborts, and reports it rejected with the reason', async () => {
    const controller = new AbortController();
    const reason = new Error('caller aborted');
    const tasks = probe();
    const queued = vi.fn();
    const call = gatherSettled([tasks.task('t0'), tasks.task('t1'), tasks.task('t2'), queued], {
      concurrency: 2,
      signal: controller.signal,
    });
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(tasks.started).toEqual(['t0', 't1', 't2']);
    controller.abort(reason);
    await expect(call).resolves.toEqual([
      { status: 'fulfilled', value: 't0' },
      { status: 'rejected', reason },
      { status: 'rejected', reason },
      { status: 'rejected', reason },
    ]);
    tasks.resolve('t1');
    tasks.resolve('t2');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
    expect(tasks.signalOf('t1')?.reason).toBe(reason);
  });

  it('in gatherSettled, never calls a queued task function after the deadline, and reports it rejected with the "TimeoutError"', async () => {
    vi.useFakeTimers();
    const tasks = probe();
    const queued = vi.fn();
    const call = observe(
      gatherSettled([tasks.task('t0'), queued], { concurrency: 1, timeout: 50 }),
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(call.state.status).toBe('fulfilled');
    const slots = call.state.status === 'fulfilled' ? call.state.value : [];
    const reason = tasks.signalOf('t0')?.reason;
    expectTimeoutError(reason);
    expect(slots).toEqual([
      { status: 'rejected', reason },
      { status: 'rejected', reason },
    ]);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });
});

describe('Concurrency limit 1. concurrency: with waitForCleanup', () => {
  it('after a failure, rejects only once the started task functions settle, and starts none of the queued', async () => {
    const tasks = probe();
    const failure = new Error('fail');
    const queued = vi.fn();
    const call = observe(
      gather([tasks.task('t0'), tasks.task('t1'), queued, queued], {
        concurrency: 2,
        waitForCleanup: true,
      }),
    );
    tasks.reject('t1', failure);
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
    expect(queued).not.toHaveBeenCalled();
    expect(tasks.running).toBe(0);
  });

  it('after the caller aborts, rejects only once the started task functions settle, and starts none of the queued', async () => {
    const controller = new AbortController();
    const reason = new Error('caller aborted');
    const tasks = probe();
    const queued = vi.fn();
    const call = observe(
      gather([tasks.task('t0'), queued], {
        concurrency: 1,
        signal: controller.signal,
        waitForCleanup: true,
      }),
    );
    controller.abort(reason);
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason });
    expect(queued).not.toHaveBeenCalled();
  });

  it('in gatherSettled after the deadline, reports a running task’s own outcome once it settles and never starts the queued', async () => {
    vi.useFakeTimers();
    const tasks = probe();
    const queued = vi.fn();
    const call = observe(
      gatherSettled([tasks.task('t0'), queued], {
        concurrency: 1,
        timeout: 50,
        waitForCleanup: true,
      }),
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(call.state.status).toBe('pending');
    tasks.resolve('t0', 'finished anyway');
    await flushMicrotasks();
    const reason = tasks.signalOf('t0')?.reason;
    expectTimeoutError(reason);
    expect(call.state).toEqual({
      status: 'fulfilled',
      value: [
        { status: 'fulfilled', value: 'finished anyway' },
        { status: 'rejected', reason },
      ],
    });
    expect(queued).not.toHaveBeenCalled();
  });
});

describe('Concurrency limit 4. both limits', () => {
  it.each([
    ['gather', gatherAny],
    ['gatherSettled', gatherSettledAny],
  ])(
    '%s rejects `concurrency` with `limit` with a TypeError naming both, calling neither the limiter nor a task',
    async (_name, call) => {
      const limit = vi.fn(pLimit(2));
      const task = vi.fn();
      const result = call([task], { concurrency: 2, limit });
      await expect(result).rejects.toThrow(TypeError);
      await expect(result).rejects.toThrow(/`concurrency`/);
      await expect(result).rejects.toThrow(/`limit`/);
      expect(limit).not.toHaveBeenCalled();
      expect(task).not.toHaveBeenCalled();
    },
  );
});
