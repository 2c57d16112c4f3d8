import Bottleneck from 'bottleneck';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled, type Limiter } from '../src/index';
import { type Deferred, deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf } from './support/fixtures';
import { labels, probe } from './support/running';

afterEach(() => {
  vi.useRealTimers();
});

type Wrapper = () => Promise<void>;

/**
 * A limiter that only records the wrappers it is handed: the test calls them, in
 * the order it likes, and settles the limiter's promises itself.
 */
function recordingLimiter(): {
  limit: Limiter;
  wrappers: Wrapper[];
  /** The promise `limit(wrapper)` returned, one per wrapper, settled by the test. */
  queued: Array<Deferred<unknown>>;
} {
  const wrappers: Wrapper[] = [];
  const queued: Array<Deferred<unknown>> = [];
  const limit: Limiter = (wrapper) => {
    wrappers.push(wrapper);
    const place = deferred<unknown>();
    queued.push(place);
    return place.promise;
  };
  return { limit, wrappers, queued };
}

function expectAbortErrorCausedBy(reason: unknown, failure: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'AbortError' });
  expect(causeOf(reason)).toBe(failure);
}

describe('Concurrency limit 2. limit: a shared bound', () => {
  it('bounds two gathers sharing one p-limit together, and reaches the bound', async () => {
    const limit = pLimit(2);
    const tasks = probe();
    const first = gather(
      labels('a', 4).map((name) => tasks.task(name)),
      { limit },
    );
    const second = gather(
      labels('b', 4).map((name) => tasks.task(name)),
      { limit },
    );
    await flushMicrotasks();
    expect(tasks.running).toBe(2);
    for (const name of ['a1', 'b3', 'a0', 'b0', 'a2', 'b1', 'a3', 'b2']) {
      tasks.resolve(name);
      await flushMicrotasks();
      expect(tasks.running).toBeLessThanOrEqual(2);
    }
    expect(tasks.maxRunning).toBe(2);
    await expect(first).resolves.toEqual(labels('a', 4));
    await expect(second).resolves.toEqual(labels('b', 4));
  });

  it('bounds a gather and a gatherSettled sharing one p-limit together, and reaches the bound', async () => {
    const limit = pLimit(3);
    const tasks = probe();
    const failure = new Error('fail');
    const all = gather(
      labels('a', 4).map((name) => tasks.task(name)),
      { limit },
    );
    const settled = gatherSettled(
      labels('s', 4).map((name) => tasks.task(name)),
      { limit },
    );
    await flushMicrotasks();
    expect(tasks.running).toBe(3);
    for (const name of ['a2', 'a0', 's0', 'a1', 's1', 'a3', 's2', 's3']) {
      if (name === 's1') tasks.reject(name, failure);
      else tasks.resolve(name);
      await flushMicrotasks();
      expect(tasks.running).toBeLessThanOrEqual(3);
    }
    expect(tasks.maxRunning).toBe(3);
    await expect(all).resolves.toEqual(labels('a', 4));
    await expect(settled).resolves.toEqual([
      { status: 'fulfilled', value: 's0' },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 's2' },
      { status: 'fulfilled', value: 's3' },
    ]);
  });

  it('hands the limiter one wrapper per task function, synchronously, in input order, calling none', () => {
    const { limit, wrappers } = recordingLimiter();
    const tasks = probe();
    void gather(
      [tasks.task('t0'), Promise.resolve('promise'), 'plain', tasks.task('t1'), tasks.task('t2')],
      {
        limit,
      },
    );
    expect(wrappers).toHaveLength(3);
    expect(tasks.started).toEqual([]);
  });

  it('calls the task function of the wrapper at its input position, in the order the limiter calls them', async () => {
    const { limit, wrappers } = recordingLimiter();
    const tasks = probe();
    const call = gather([tasks.task('t0'), 'plain', tasks.task('t1'), tasks.task('t2')], { limit });
    for (const index of [2, 0, 1]) void wrappers[index]?.();
    expect(tasks.started).toEqual(['t2', 't0', 't1']);
    for (const name of labels('t', 3)) tasks.resolve(name);
    await expect(call).resolves.toEqual(['t0', 'plain', 't1', 't2']);
  });

  it('hands gatherSettled’s wrappers to the limiter synchronously, in input order', () => {
    const { limit, wrappers } = recordingLimiter();
    const tasks = probe();
    void gatherSettled({ x: tasks.task('x'), y: tasks.task('y') }, { limit });
    expect(wrappers).toHaveLength(2);
    void wrappers[1]?.();
    void wrappers[0]?.();
    expect(tasks.started).toEqual(['y', 'x']);
  });

  it('calls the task function with the call’s signal only, whatever arguments the limiter passes', async () => {
    const task = vi.fn((_signal: AbortSignal) => 'done');
    const limit: Limiter = (wrapper) =>
      Promise.resolve(Reflect.apply(wrapper, 'receiver', ['argument', { signal: 'not it' }]));
    await expect(gather([task], { limit })).resolves.toEqual(['done']);
    expect(task).toHaveBeenCalledTimes(1);
    expect(task.mock.calls[0]).toHaveLength(1);
    expect(task.mock.calls[0]?.[0]).toBeInstanceOf(AbortSignal);
  });

  it('ignores the value the limiter’s promise resolves with', async () => {
    const limit: Limiter = async (wrapper) => {
      await wrapper();
      return 'the limiter’s own value';
    };
    await expect(gather([() => 'task value'], { limit })).resolves.toEqual(['task value']);
  });

  it('waits for the wrapper when the limiter’s promise resolves before calling it', async () => {
    const { limit, wrappers, queued } = recordingLimiter();
    const task = vi.fn(() => 'late');
    const call = observe(gather([task], { limit }));
    queued[0]?.resolve('already resolved');
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    expect(task).not.toHaveBeenCalled();
    await wrappers[0]?.();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'fulfilled', value: ['late'] });
  });

  it('returns from the wrapper a promise that settles only when its task settles', async () => {
    const { limit, wrappers } = recordingLimiter();
    const tasks = probe();
    const call = gather([tasks.task('t0')], { limit });
    const place = observe(wrappers[0]?.() ?? Promise.reject(new Error('no wrapper')));
    await flushMicrotasks();
    expect(place.state.status).toBe('pending');
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(place.state.status).not.toBe('pending');
    await call;
  });

  it('uses the limit when `concurrency` is undefined', async () => {
    const { limit, wrappers } = recordingLimiter();
    const task = vi.fn(() => 'task');
    const call = gather([task], { limit, concurrency: undefined });
    expect(wrappers).toHaveLength(1);
    expect(task).not.toHaveBeenCalled();
    await wrappers[0]?.();
    await expect(call).resolves.toEqual(['task']);
  });

  it('completes 10,000 task functions, synchronous and asynchronous, through a shared p-limit, in input order', async () => {
    const limit = pLimit(4);
    const count = 10_000;
    const tasks = Array.from({ length: count }, (_, index) =>
      index % 2 === 0 ? () => index : async () => index,
    );
    const results = await gather(tasks, { limit });
    expect(results).toHaveLength(count);
    expect(results.findIndex((value, index) => value !== index)).toBe(-1);
    // p-limit counts a place free a few microtasks after the wrapper's promise settles.
    await flushMicrotasks();
    expect(limit.activeCount).toBe(0);
  });

  it('hands promises and plain values to no limiter and awaits them at once', async () => {
    const { limit, wrappers } = recordingLimiter();
    const failure = new Error('promise failed');
    const call = gather([() => 'never called', 'plain', Promise.reject(failure)], { limit });
    expect(wrappers).toHaveLength(1);
    await expect(call).rejects.toBe(failure);
  });
});

describe('Concurrency limit 2. limit: other limiters', () => {
  it('works with p-queue’s add, bound: bounded, and results in input order', async () => {
    const queue = new PQueue({ concurrency: 2 });
    const tasks = probe();
    const names = labels('t', 5);
    const call = gather(
      names.map((name) => tasks.task(name)),
      { limit: queue.add.bind(queue) },
    );
    await flushMicrotasks();
    expect(tasks.started).toEqual(['t0', 't1']);
    for (const name of ['t1', 't0', 't3', 't2', 't4']) {
      tasks.resolve(name);
      await flushMicrotasks();
      expect(tasks.running).toBeLessThanOrEqual(2);
    }
    expect(tasks.maxRunning).toBe(2);
    expect(tasks.started).toEqual(names);
    await expect(call).resolves.toEqual(names);
  });

  it('works with Bottleneck’s schedule, bound: bounded, and results in input order', async () => {
    const limiter = new Bottleneck({ maxConcurrent: 2 });
    const tasks = probe();
    const names = labels('t', 4);
    const call = gather(
      names.map((name) => tasks.task(name)),
      { limit: limiter.schedule.bind(limiter) },
    );
    // Bottleneck starts its jobs from timers: wait for the starts it owes.
    await vi.waitFor(() => expect(tasks.started).toEqual(['t0', 't1']));
    tasks.resolve('t1');
    await vi.waitFor(() => expect(tasks.started).toEqual(['t0', 't1', 't2']));
    tasks.resolve('t0');
    await vi.waitFor(() => expect(tasks.started).toEqual(names));
    tasks.resolve('t3');
    tasks.resolve('t2');
    await expect(call).resolves.toEqual(names);
    expect(tasks.maxRunning).toBe(2);
  });
});

describe('Concurrency limit 3. a queued task gives its place back', () => {
  it('after a failure, never calls the queued task functions, and p-limit’s queue drains', async () => {
    const limit = pLimit(1);
    const tasks = probe();
    const failure = new Error('fail');
    const queued = vi.fn();
    const call = gather([tasks.task('t0'), queued, queued], { limit });
    await flushMicrotasks();
    expect(limit.pendingCount).toBe(2);
    tasks.reject('t0', failure);
    await expect(call).rejects.toBe(failure);
    await flushMicrotasks();
    expect(limit.pendingCount).toBe(0);
    expect(limit.activeCount).toBe(0);
    expect(queued).not.toHaveBeenCalled();
  });

  it('after a failure, lets the tasks of another gather sharing the limiter take the freed places', async () => {
    const limit = pLimit(2);
    const tasks = probe();
    const failure = new Error('fail');
    const queued = vi.fn();
    const failing = gather([tasks.task('a0'), tasks.task('a1'), queued, queued], { limit });
    const other = gather([tasks.task('b0'), tasks.task('b1')], { limit });
    await flushMicrotasks();
    expect(tasks.started).toEqual(['a0', 'a1']);
    tasks.reject('a1', failure);
    await expect(failing).rejects.toBe(failure);
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
    // a0 still holds its place: b0 has the other one.
    expect(tasks.started).toEqual(['a0', 'a1', 'b0']);
    expect(limit.activeCount).toBe(2);
    expect(limit.pendingCount).toBe(1);
    tasks.resolve('a0');
    await flushMicrotasks();
    expect(tasks.started).toEqual(['a0', 'a1', 'b0', 'b1']);
    tasks.resolve('b0');
    tasks.resolve('b1');
    await expect(other).resolves.toEqual(['b0', 'b1']);
    expect(tasks.maxRunning).toBe(2);
  });

  it('after the caller aborts, never calls the queued task functions, and p-limit’s queue drains', async () => {
    const limit = pLimit(1);
    const controller = new AbortController();
    const reason = new Error('caller aborted');
    const tasks = probe();
    const queued = vi.fn();
    const call = gatherSettled([tasks.task('t0'), queued, queued], {
      limit,
      signal: controller.signal,
    });
    await flushMicrotasks();
    controller.abort(reason);
    await expect(call).resolves.toEqual([
      { status: 'rejected', reason },
      { status: 'rejected', reason },
      { status: 'rejected', reason },
    ]);
    expect(tasks.signalOf('t0')?.reason).toBe(reason);
    await flushMicrotasks();
    expect(limit.activeCount).toBe(1);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(limit.pendingCount).toBe(0);
    expect(limit.activeCount).toBe(0);
    expect(queued).not.toHaveBeenCalled();
  });

  it('after the deadline, never calls the queued task functions, and p-limit’s queue drains', async () => {
    vi.useFakeTimers();
    const limit = pLimit(1);
    const tasks = probe();
    const queued = vi.fn();
    const call = observe(gather([tasks.task('t0'), queued, queued], { limit, timeout: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('rejected');
    const reason = call.state.status === 'rejected' ? call.state.reason : undefined;
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(tasks.signalOf('t0')?.reason).toBe(reason);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(limit.pendingCount).toBe(0);
    expect(limit.activeCount).toBe(0);
    expect(queued).not.toHaveBeenCalled();
  });

  it('returns a settled promise, without calling the task function, from a wrapper called after its call failed', async () => {
    const { limit, wrappers } = recordingLimiter();
    const failure = new Error('fail');
    const queued = vi.fn();
    const call = gather([queued, () => Promise.reject(failure)], { limit });
    void wrappers[1]?.();
    await expect(call).rejects.toBe(failure);
    const place = observe(wrappers[0]?.() ?? never());
    await flushMicrotasks();
    expect(place.state.status).toBe('fulfilled');
    expect(queued).not.toHaveBeenCalled();
  });

  it('with waitForCleanup, settles only once the started task functions settle, and calls none of the queued', async () => {
    const limit = pLimit(2);
    const tasks = probe();
    const failure = new Error('fail');
    const queued = vi.fn();
    const call = observe(
      gather([tasks.task('t0'), tasks.task('t1'), queued], { limit, waitForCleanup: true }),
    );
    await flushMicrotasks();
    tasks.reject('t1', failure);
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    expect(limit.activeCount).toBe(1);
    expect(limit.pendingCount).toBe(0);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
    expect(queued).not.toHaveBeenCalled();
  });
});

describe('Concurrency limit 3. a started task holds its place until it settles', () => {
  it('holds its place after its call has rejected, until the task settles', async () => {
    const limit = pLimit(2);
    const tasks = probe();
    const failure = new Error('fail');
    const call = gather([tasks.task('t0'), tasks.task('t1')], { limit });
    await flushMicrotasks();
    tasks.reject('t1', failure);
    await expect(call).rejects.toBe(failure);
    expectAbortErrorCausedBy(tasks.signalOf('t0')?.reason, failure);
    await flushMicrotasks();
    expect(limit.activeCount).toBe(1);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(limit.activeCount).toBe(0);
  });

  it('keeps the tasks of another call waiting while a task of an aborted call still runs', async () => {
    const limit = pLimit(1);
    const controller = new AbortController();
    const tasks = probe();
    const aborted = gather([tasks.task('a0')], { limit, signal: controller.signal });
    await flushMicrotasks();
    controller.abort(new Error('caller aborted'));
    await expect(aborted).rejects.toThrow('caller aborted');
    const other = gather([tasks.task('b0')], { limit });
    await flushMicrotasks();
    expect(tasks.started).toEqual(['a0']);
    tasks.resolve('a0');
    await flushMicrotasks();
    expect(tasks.started).toEqual(['a0', 'b0']);
    tasks.resolve('b0');
    await expect(other).resolves.toEqual(['b0']);
    expect(tasks.maxRunning).toBe(1);
  });
});

describe('Concurrency limit 3. the limiter refuses a task', () => {
  it('fails the task with the error `limit(wrapper)` throws, and aborts the siblings with it as cause', async () => {
    const failure = new Error('limiter threw');
    const tasks = probe();
    const refused = vi.fn();
    let wrappersSeen = 0;
    const limit: Limiter = (wrapper) => {
      if (wrappersSeen++ === 1) throw failure;
      return Promise.resolve(wrapper());
    };
    const call = gather([tasks.task('t0'), refused], { limit });
    await expect(call).rejects.toBe(failure);
    expect(refused).not.toHaveBeenCalled();
    expectAbortErrorCausedBy(tasks.signalOf('t0')?.reason, failure);
  });

  it('in gatherSettled, reports only the task whose `limit(wrapper)` threw as rejected with that error', async () => {
    const failure = new Error('limiter threw');
    const refused = vi.fn();
    let wrappersSeen = 0;
    const limit: Limiter = (wrapper) => {
      if (wrappersSeen++ === 0) throw failure;
      return Promise.resolve(wrapper());
    };
    await expect(gatherSettled([refused, () => 'ok'], { limit })).resolves.toEqual([
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 'ok' },
    ]);
    expect(refused).not.toHaveBeenCalled();
  });

  it('fails the task with the rejection of a limiter that rejects without calling the wrapper', async () => {
    const failure = new Error('limiter rejected');
    const refused = vi.fn();
    const limit: Limiter = () => Promise.reject(failure);
    await expect(gather([refused], { limit })).rejects.toBe(failure);
    expect(refused).not.toHaveBeenCalled();
  });

  it('fails a queued task with the AbortError of p-limit’s clearQueue with rejectOnClear', async () => {
    const limit = pLimit({ concurrency: 1, rejectOnClear: true });
    const tasks = probe();
    const queued = vi.fn();
    const call = gather([tasks.task('t0'), queued], { limit });
    await flushMicrotasks();
    limit.clearQueue();
    const reason: unknown = await call.catch((error: unknown) => error);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(tasks.signalOf('t0')?.aborted).toBe(true);
    expect(causeOf(tasks.signalOf('t0')?.reason)).toBe(reason);
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });

  it('in gatherSettled, reports the tasks p-limit’s clearQueue rejected with its error, the running one with its own outcome', async () => {
    const limit = pLimit({ concurrency: 1, rejectOnClear: true });
    const tasks = probe();
    const queued = vi.fn();
    const call = gatherSettled([tasks.task('t0'), queued, queued], { limit });
    await flushMicrotasks();
    limit.clearQueue();
    tasks.resolve('t0');
    const [first, second, third] = await call;
    expect(first).toEqual({ status: 'fulfilled', value: 't0' });
    expect(second).toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
    expect(third).toEqual(second);
    expect(queued).not.toHaveBeenCalled();
  });

  it('fails the queued tasks with Bottleneck’s error when it stops and drops its waiting jobs', async () => {
    const limiter = new Bottleneck({ maxConcurrent: 1 });
    const tasks = probe();
    const queued = vi.fn();
    const call = gatherSettled([tasks.task('t0'), queued], {
      limit: limiter.schedule.bind(limiter),
    });
    await vi.waitFor(() => expect(tasks.started).toEqual(['t0']));
    const stopped = limiter.stop({ dropWaitingJobs: true });
    tasks.resolve('t0');
    const [first, second] = await call;
    await stopped;
    expect(first).toEqual({ status: 'fulfilled', value: 't0' });
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { message: 'This limiter has been stopped.' },
    });
    expect(queued).not.toHaveBeenCalled();
  });

  it('fails a queued task with the AbortError of p-queue 10’s clear(), which rejects the jobs it drops', async () => {
    const queue = new PQueue({ concurrency: 1 });
    const tasks = probe();
    const queued = vi.fn();
    const call = gather([tasks.task('t0'), queued], { limit: queue.add.bind(queue) });
    await flushMicrotasks();
    queue.clear();
    const reason: unknown = await call.catch((error: unknown) => error);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError' });
    tasks.resolve('t0');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });
});

describe('Concurrency limit 3. a limiter that drops a task without calling or settling it', () => {
  /** A limiter that runs the first task it is handed and silently drops the rest. */
  function droppingLimiter(): Limiter {
    let handed = 0;
    return (wrapper) => (handed++ === 0 ? Promise.resolve(wrapper()) : never());
  }

  it('leaves the call pending after every other task has settled', async () => {
    const dropped = vi.fn();
    const call = observe(gather([() => 'ran', dropped], { limit: droppingLimiter() }));
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    expect(dropped).not.toHaveBeenCalled();
  });

  it('lets the caller’s signal end the call', async () => {
    const controller = new AbortController();
    const reason = new Error('caller aborted');
    const dropped = vi.fn();
    const call = gather([() => 'ran', dropped], {
      limit: droppingLimiter(),
      signal: controller.signal,
    });
    await flushMicrotasks();
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(dropped).not.toHaveBeenCalled();
  });

  it('lets the deadline end the call', async () => {
    vi.useFakeTimers();
    const dropped = vi.fn();
    const call = observe(
      gatherSettled([() => 'ran', dropped], { limit: droppingLimiter(), timeout: 100 }),
    );
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state).toMatchObject({
      status: 'fulfilled',
      value: [
        { status: 'fulfilled', value: 'ran' },
        { status: 'rejected', reason: { name: 'TimeoutError' } },
      ],
    });
    expect(dropped).not.toHaveBeenCalled();
  });
});
