/**
 * SPEC › Beyond gather › `TaskGroup`, clause by clause. Every ordering is fixed by
 * deferred promises or fake timers, never by sleeping.
 */
import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather, type Limiter, TaskGroup } from '../src/index';
import { type Deferred, deferred, flushMicrotasks, never, observe } from './support/deferred';
import {
  causeOf,
  fakeSignal,
  fulfillingThenable,
  manualThenable,
  unhandledRejectionsDuring,
} from './support/fixtures';
import { abortListenerCount, itInNode } from './support/node-only';
import { labels, probe } from './support/running';

/** Untyped access, for arguments the public types rightly refuse. */
const TaskGroupAny = TaskGroup as unknown as new (options?: unknown) => TaskGroup;
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;

function spawnAny(group: TaskGroup, task: unknown): Promise<unknown> {
  return (group.spawn as (task: unknown) => Promise<unknown>).call(group, task);
}

/** The reason an observed promise rejected with; fails the test if it did not reject. */
function reasonOf(view: { readonly state: { status: string; reason?: unknown } }): unknown {
  const { state } = view;
  if (state.status !== 'rejected') throw new Error(`expected a rejection, got ${state.status}`);
  return state.reason;
}

function expectAbortErrorCausedBy(reason: unknown, failure: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'AbortError' });
  expect(Object.hasOwn(reason as object, 'cause')).toBe(true);
  expect(causeOf(reason)).toBe(failure);
}

/** A task function that runs until its signal aborts, then rejects with the signal's reason. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * A limiter that only records the wrappers it is handed: the test calls them when
 * it likes, and settles the limiter's promises itself.
 */
function recordingLimiter(): {
  limit: Limiter;
  wrappers: Array<() => Promise<void>>;
  queued: Array<Deferred<unknown>>;
} {
  const wrappers: Array<() => Promise<void>> = [];
  const queued: Array<Deferred<unknown>> = [];
  const limit: Limiter = (wrapper) => {
    wrappers.push(wrapper as () => Promise<void>);
    const place = deferred<unknown>();
    queued.push(place);
    return place.promise;
  };
  return { limit, wrappers, queued };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TaskGroup 1. spawn calls the task function with the group’s signal', () => {
  it('calls the task function before spawn returns, with the group’s signal as its only argument', () => {
    const group = new TaskGroup();
    const task = vi.fn((_signal: AbortSignal) => 'value');
    void group.spawn(task);
    expect(task).toHaveBeenCalledTimes(1);
    expect(task.mock.calls[0]).toHaveLength(1);
    expect(task.mock.calls[0]?.[0]).toBe(group.signal);
  });

  it('calls a task spawned by a task function as it is being started before spawn returns, under a bound with a free slot', async () => {
    const group = new TaskGroup({ concurrency: 2 });
    const calls: string[] = [];
    group.spawn(() => {
      calls.push('parent');
      group.spawn(() => calls.push('child'));
      calls.push('parent, after spawning');
      return never();
    });
    expect(calls).toEqual(['parent', 'child', 'parent, after spawning']);
    group.abort();
  });

  it('hands every spawned task function the same signal, which is not aborted on the success path', async () => {
    const group = new TaskGroup();
    const signals: AbortSignal[] = [];
    group.spawn((signal) => signals.push(signal));
    group.spawn(async (signal) => signals.push(signal));
    await group.join();
    expect(signals).toHaveLength(2);
    expect(signals[0]).toBe(signals[1]);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('returns a promise of the value a task function returns synchronously', async () => {
    const group = new TaskGroup();
    const value = { id: 1 };
    const spawned = group.spawn(() => value);
    expect(spawned).toBeInstanceOf(Promise);
    await expect(spawned).resolves.toBe(value);
  });

  it('returns a promise that fulfils when the promise the task function returned fulfils', async () => {
    const group = new TaskGroup();
    const gate = deferred<string>();
    const spawned = observe(group.spawn(() => gate.promise));
    await flushMicrotasks();
    expect(spawned.state.status).toBe('pending');
    gate.resolve('later');
    await flushMicrotasks();
    expect(spawned.state).toEqual({ status: 'fulfilled', value: 'later' });
  });

  it('returns a promise that rejects with what the task function threw, instead of throwing', async () => {
    const group = new TaskGroup();
    const failure = new Error('thrown');
    let spawned: Promise<unknown> | undefined;
    expect(() => {
      spawned = group.spawn(() => {
        throw failure;
      });
    }).not.toThrow();
    await expect(spawned).rejects.toBe(failure);
  });

  it('returns a promise that rejects with the reason of the promise the task function returned', async () => {
    const group = new TaskGroup();
    const failure = new Error('rejected');
    await expect(group.spawn(() => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('settles each promise with its own outcome when a task function spawns others as it runs', async () => {
    const group = new TaskGroup();
    const inner: Array<Promise<string>> = [];
    const outer = group.spawn(() => {
      inner.push(group.spawn(() => 'inner, sync'));
      inner.push(group.spawn(async () => 'inner, async'));
      return 'outer';
    });
    expect(outer).toBeInstanceOf(Promise);
    await expect(outer).resolves.toBe('outer');
    await expect(Promise.all(inner)).resolves.toEqual(['inner, sync', 'inner, async']);
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('adopts a thenable a task function returns', async () => {
    const group = new TaskGroup();
    const thenable = manualThenable<string>();
    const spawned = observe(group.spawn(() => thenable));
    await flushMicrotasks();
    expect(spawned.state.status).toBe('pending');
    thenable.resolve('adopted');
    await flushMicrotasks();
    expect(spawned.state).toEqual({ status: 'fulfilled', value: 'adopted' });
    expect(thenable.calls).toBe(1);
  });

  it.each([
    ['a promise', Promise.resolve(1)],
    ['a thenable', fulfillingThenable(1)],
    ['a number', 42],
    ['a string', 'task'],
    ['null', null],
    ['undefined', undefined],
    ['an object', {}],
  ])('throws a TypeError naming `task` when given %s, and counts nothing', async (_case, task) => {
    const group = new TaskGroup();
    expect(() => spawnAny(group, task)).toThrow(TypeError);
    expect(() => spawnAny(group, task)).toThrow(/`task`/);
    expect(group.signal.aborted).toBe(false);
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('never reports an ignored spawn promise as an unhandled rejection', async () => {
    const reasons = await unhandledRejectionsDuring(async () => {
      const group = new TaskGroup();
      const later = deferred();
      group.spawn(() => later.promise);
      group.spawn(() => Promise.reject(new Error('rejected')));
      group.spawn(() => {
        throw new Error('thrown');
      });
      group.spawn(() => 'refused after the failure');
      later.reject(new Error('sibling, after the failure'));
      await group.join().catch(() => {});
    });
    expect(reasons).toEqual([]);
  });

  it('never reports unhandled the ignored promise of a task that aborted the group as it was being started', async () => {
    const reasons = await unhandledRejectionsDuring(async () => {
      const group = new TaskGroup();
      const later = deferred();
      group.spawn(async (signal) => {
        group.abort(new Error('stop'));
        await later.promise;
        throw signal.reason;
      });
      later.resolve();
      await group.join().catch(() => {});
    });
    expect(reasons).toEqual([]);
  });

  it('reports nothing unhandled for a failed group nobody joins', async () => {
    const reasons = await unhandledRejectionsDuring(() => {
      const group = new TaskGroup();
      group.spawn(() => Promise.reject(new Error('nobody listens')));
    });
    expect(reasons).toEqual([]);
  });

  it('defines `signal` as an accessor without a setter on the prototype, not on the instance', () => {
    const group = new TaskGroup();
    const descriptor = Object.getOwnPropertyDescriptor(TaskGroup.prototype, 'signal');
    expect(typeof descriptor?.get).toBe('function');
    expect(descriptor?.set).toBeUndefined();
    expect(Object.hasOwn(group, 'signal')).toBe(false);
  });

  it('refuses an assignment to `signal` (a TypeError in strict code) and keeps its signal', () => {
    const group = new TaskGroup();
    const signal = group.signal;
    expect(() => {
      (group as unknown as { signal: unknown }).signal = new AbortController().signal;
    }).toThrow(TypeError);
    expect(group.signal).toBe(signal);
  });

  it('returns the same AbortSignal on every read, a fresh one per group, not aborted at first', () => {
    const group = new TaskGroup();
    const signal = group.signal;
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.aborted).toBe(false);
    expect(group.signal).toBe(signal);
    expect(new TaskGroup().signal).not.toBe(signal);
  });

  it('hands tasks a signal that is not the caller’s, and a failure never aborts the caller’s', async () => {
    const controller = new AbortController();
    const group = new TaskGroup({ signal: controller.signal });
    expect(group.signal).not.toBe(controller.signal);
    group.spawn(() => Promise.reject(new Error('fail')));
    await group.join().catch(() => {});
    expect(group.signal.aborted).toBe(true);
    expect(controller.signal.aborted).toBe(false);
  });
});

describe('TaskGroup 2. the first failure aborts the group', () => {
  it('aborts the group’s signal with a DOMException "AbortError" whose own cause is the failure', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const gate = deferred();
    group.spawn(() => gate.promise);
    expect(group.signal.aborted).toBe(false);
    gate.reject(failure);
    await flushMicrotasks();
    expect(group.signal.aborted).toBe(true);
    expectAbortErrorCausedBy(group.signal.reason, failure);
    await expect(group.join()).rejects.toBe(failure);
  });

  it('aborts the group’s signal before spawn returns when a task function throws', () => {
    const group = new TaskGroup();
    const failure = new Error('thrown');
    void group.spawn(() => {
      throw failure;
    });
    expect(group.signal.aborted).toBe(true);
    expectAbortErrorCausedBy(group.signal.reason, failure);
  });

  it('lets a running sibling see the abort through its signal', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const sibling = observe(group.spawn(untilAborted));
    group.spawn(() => Promise.reject(failure));
    await flushMicrotasks();
    expect(reasonOf(sibling)).toBe(group.signal.reason);
    expectAbortErrorCausedBy(reasonOf(sibling), failure);
  });

  it('rejects join with the first failure only after every started task has settled', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const stubborn = deferred<string>();
    group.spawn(() => stubborn.promise); // ignores the signal
    group.spawn(() => Promise.reject(failure));
    const joined = observe(group.join());
    await flushMicrotasks();
    expect(group.signal.aborted).toBe(true);
    expect(joined.state.status).toBe('pending');
    stubborn.resolve('finished anyway');
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
  });

  it('keeps join pending for as long as a started task ignores the signal', async () => {
    const group = new TaskGroup();
    group.spawn(() => never());
    group.spawn(() => Promise.reject(new Error('fail')));
    const joined = observe(group.join());
    await flushMicrotasks();
    await flushMicrotasks();
    expect(joined.state.status).toBe('pending');
  });

  it('keeps the first failure when a sibling later fails on its own', async () => {
    const group = new TaskGroup();
    const first = new Error('first');
    const second = new Error('second');
    const a = deferred();
    const b = deferred();
    group.spawn(() => a.promise);
    group.spawn(() => b.promise);
    a.reject(first);
    await flushMicrotasks();
    b.reject(second);
    await flushMicrotasks();
    expectAbortErrorCausedBy(group.signal.reason, first);
    await expect(group.join()).rejects.toBe(first);
  });

  it('keeps the first failure when the siblings reject with the abort reason', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    group.spawn(untilAborted);
    group.spawn(untilAborted);
    group.spawn(() => Promise.reject(failure));
    await expect(group.join()).rejects.toBe(failure);
  });

  it('treats undefined as a failure like any other: the cause is undefined and join rejects with it', async () => {
    const group = new TaskGroup();
    const gate = deferred();
    group.spawn(() => gate.promise);
    group.spawn(() => Promise.reject(undefined));
    const joined = observe(group.join());
    await flushMicrotasks();
    expectAbortErrorCausedBy(group.signal.reason, undefined);
    gate.reject(new Error('later'));
    await flushMicrotasks();
    expect(joined.state).toEqual({ status: 'rejected', reason: undefined });
  });

  it('settles each spawn promise with its own task’s outcome, also after the group failed', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const own = new Error('own failure');
    const fulfils = deferred<string>();
    const failsOnItsOwn = deferred<string>();
    const late = observe(group.spawn(() => fulfils.promise));
    const ownFailure = observe(group.spawn(() => failsOnItsOwn.promise));
    const cancelled = observe(group.spawn(untilAborted));
    const failing = observe(group.spawn(() => Promise.reject(failure)));
    await flushMicrotasks();
    fulfils.resolve('value after the failure');
    failsOnItsOwn.reject(own);
    await flushMicrotasks();
    expect(late.state).toEqual({ status: 'fulfilled', value: 'value after the failure' });
    expect(reasonOf(ownFailure)).toBe(own);
    expect(reasonOf(cancelled)).toBe(group.signal.reason);
    expect(reasonOf(failing)).toBe(failure);
    await expect(group.join()).rejects.toBe(failure);
  });

  it('keeps the failure when an abort listener re-enters the group to abort it or spawn a failing task', async () => {
    const group = new TaskGroup();
    const failure = new Error('first');
    const reentered: Array<Promise<unknown>> = [];
    group.signal.addEventListener('abort', () => {
      group.abort(new Error('from the listener'));
      reentered.push(group.spawn(() => Promise.reject(new Error('spawned by the listener'))));
    });
    group.spawn(() => Promise.reject(failure));
    await expect(group.join()).rejects.toBe(failure);
    expect(reentered).toHaveLength(1);
    await expect(reentered[0]).rejects.toBe(failure);
    expectAbortErrorCausedBy(group.signal.reason, failure);
  });
});

describe('TaskGroup 3. join', () => {
  it('resolves with undefined once every spawned task has fulfilled', async () => {
    const group = new TaskGroup();
    const a = deferred<string>();
    const b = deferred<string>();
    group.spawn(() => a.promise);
    group.spawn(() => b.promise);
    group.spawn(() => 'sync');
    const joined = observe(group.join());
    a.resolve('a');
    await flushMicrotasks();
    expect(joined.state.status).toBe('pending');
    b.resolve('b');
    await flushMicrotasks();
    expect(joined.state).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('resolves every spawn promise with its own value when the tasks settle out of order after join', async () => {
    const group = new TaskGroup();
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const spawned = gates.map((gate) => group.spawn(() => gate.promise));
    const joined = group.join();
    gates[2]?.resolve('c');
    await flushMicrotasks();
    gates[0]?.resolve('a');
    await flushMicrotasks();
    gates[1]?.resolve('b');
    await expect(Promise.all(spawned)).resolves.toEqual(['a', 'b', 'c']);
    await expect(joined).resolves.toBeUndefined();
  });

  it('resolves at once when no task was ever spawned', async () => {
    await expect(new TaskGroup().join()).resolves.toBeUndefined();
  });

  it('waits for tasks spawned from inside a running task while joining', async () => {
    const group = new TaskGroup();
    const parentGate = deferred();
    const childGate = deferred<string>();
    let child: Promise<string> | undefined;
    group.spawn(async () => {
      await parentGate.promise;
      child = group.spawn(() => childGate.promise);
    });
    const joined = observe(group.join());
    parentGate.resolve();
    await flushMicrotasks();
    expect(child).toBeInstanceOf(Promise);
    expect(joined.state.status).toBe('pending');
    childGate.resolve('child');
    await flushMicrotasks();
    expect(joined.state).toEqual({ status: 'fulfilled', value: undefined });
    await expect(child).resolves.toBe('child');
  });

  it('waits for tasks spawned from outside after join was called, while a task is still pending', async () => {
    const group = new TaskGroup();
    const first = deferred();
    const second = deferred<string>();
    group.spawn(() => first.promise);
    const joined = observe(group.join());
    const late = group.spawn(() => second.promise);
    first.resolve();
    await flushMicrotasks();
    expect(joined.state.status).toBe('pending');
    second.resolve('late');
    await flushMicrotasks();
    expect(joined.state.status).toBe('fulfilled');
    await expect(late).resolves.toBe('late');
  });

  it('returns the same promise on every call, before and after it settles', async () => {
    const group = new TaskGroup();
    const gate = deferred();
    group.spawn(() => gate.promise);
    const joined = group.join();
    expect(group.join()).toBe(joined);
    gate.resolve();
    await joined;
    expect(group.join()).toBe(joined);
  });

  it('does not close an idle group that has not been joined: spawn still works', async () => {
    const group = new TaskGroup();
    await group.spawn(() => 'first');
    await flushMicrotasks();
    await expect(group.spawn(async () => 'second')).resolves.toBe('second');
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('closes synchronously when join() is called with nothing pending: spawn throws a TypeError naming the closed group', () => {
    const group = new TaskGroup();
    void group.join();
    const task = vi.fn();
    expect(() => group.spawn(task)).toThrow(TypeError);
    expect(() => group.spawn(task)).toThrow(/closed TaskGroup/);
    expect(task).not.toHaveBeenCalled();
  });

  it('closes once the last task settles after join(): spawn then throws', async () => {
    const group = new TaskGroup();
    const gate = deferred();
    group.spawn(() => gate.promise);
    const joined = group.join();
    gate.resolve();
    await joined;
    const task = vi.fn();
    expect(() => group.spawn(task)).toThrow(TypeError);
    expect(task).not.toHaveBeenCalled();
  });

  it('throws from `spawn(a).then(() => spawn(b))` when `a` was the last task', async () => {
    const group = new TaskGroup();
    const a = deferred<string>();
    const b = vi.fn(() => 'b');
    const followUp = group.spawn(() => a.promise).then(() => group.spawn(b));
    const joined = group.join();
    a.resolve('a');
    await expect(joined).resolves.toBeUndefined();
    await expect(followUp).rejects.toThrow(TypeError);
    expect(b).not.toHaveBeenCalled();
  });

  it('throws on spawn once a failed group has been joined and every task has settled', async () => {
    const group = new TaskGroup();
    group.spawn(() => Promise.reject(new Error('fail')));
    await group.join().catch(() => {});
    const task = vi.fn();
    expect(() => group.spawn(task)).toThrow(TypeError);
    expect(task).not.toHaveBeenCalled();
  });
});

describe('TaskGroup 4. abort', () => {
  it('aborts the group’s signal with the reason itself, at once', () => {
    const group = new TaskGroup();
    const reason = new Error('stop');
    group.abort(reason);
    expect(group.signal.aborted).toBe(true);
    expect(group.signal.reason).toBe(reason);
  });

  it('rejects join with the same reason only after the started tasks have settled', async () => {
    const group = new TaskGroup();
    const reason = { why: 'stop' };
    const stubborn = deferred();
    const cooperative = observe(group.spawn(untilAborted));
    group.spawn(() => stubborn.promise);
    const joined = observe(group.join());
    group.abort(reason);
    await flushMicrotasks();
    expect(reasonOf(cooperative)).toBe(reason);
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(reason);
  });

  it.each([
    ['abort()', (group: TaskGroup) => group.abort()],
    ['abort(undefined)', (group: TaskGroup) => group.abort(undefined)],
  ])(
    'with %s, rejects join with the group signal’s own reason, a DOMException "AbortError"',
    async (_case, abort) => {
      const group = new TaskGroup();
      group.spawn(untilAborted);
      abort(group);
      const reason: unknown = group.signal.reason;
      expect(reason).toBeInstanceOf(DOMException);
      expect(reason).toMatchObject({ name: 'AbortError' });
      await expect(group.join()).rejects.toBe(reason);
    },
  );

  it('takes null as a reason like any other', async () => {
    const group = new TaskGroup();
    group.abort(null);
    expect(group.signal.reason).toBeNull();
    const joined = observe(group.join());
    await flushMicrotasks();
    expect(joined.state).toEqual({ status: 'rejected', reason: null });
  });

  it('does nothing after a failure: the signal and join keep the failure', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    group.spawn(() => Promise.reject(failure));
    await flushMicrotasks();
    group.abort(new Error('too late'));
    expectAbortErrorCausedBy(group.signal.reason, failure);
    await expect(group.spawn(vi.fn())).rejects.toBe(failure);
    stubborn.resolve();
    await expect(group.join()).rejects.toBe(failure);
  });

  it('does nothing once the group is closed after success', async () => {
    const group = new TaskGroup();
    group.spawn(() => 'done');
    await group.join();
    group.abort(new Error('too late'));
    expect(group.signal.aborted).toBe(false);
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('keeps the first abort reason when aborted twice', async () => {
    const group = new TaskGroup();
    const first = new Error('first');
    group.abort(first);
    group.abort(new Error('second'));
    expect(group.signal.reason).toBe(first);
    await expect(group.join()).rejects.toBe(first);
  });

  it('aborts an idle group that has not been joined: join then rejects with the reason', async () => {
    const group = new TaskGroup();
    await group.spawn(() => 'done');
    const reason = new Error('stop');
    group.abort(reason);
    await expect(group.join()).rejects.toBe(reason);
  });

  it('acts on the caller’s signal aborting later as abort(reason): same object on the signal and from join', async () => {
    const controller = new AbortController();
    const group = new TaskGroup({ signal: controller.signal });
    const reason = new Error('caller stopped');
    const stubborn = deferred();
    const cooperative = observe(group.spawn(untilAborted));
    group.spawn(() => stubborn.promise);
    const joined = observe(group.join());
    controller.abort(reason);
    expect(group.signal.reason).toBe(reason);
    await flushMicrotasks();
    expect(reasonOf(cooperative)).toBe(reason);
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(reason);
  });

  it('follows a signal-like object that is not an AbortSignal', async () => {
    const signal = fakeSignal();
    const group = new TaskGroup({ signal });
    group.spawn(untilAborted);
    const reason = new Error('polyfill aborted');
    signal.abort(reason);
    expect(group.signal.reason).toBe(reason);
    await expect(group.join()).rejects.toBe(reason);
    expect(signal.listeners.size).toBe(0);
  });

  it('starts aborted with a caller’s signal already aborted at construction: calls nothing, join rejects', async () => {
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    const group = new TaskGroup({ signal: controller.signal });
    expect(group.signal.aborted).toBe(true);
    expect(group.signal.reason).toBe(reason);
    const task = vi.fn();
    await expect(group.spawn(task)).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
    await expect(group.join()).rejects.toBe(reason);
  });

  it('aborts with a DOMException "TimeoutError" at the deadline, counted from construction', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 100 });
    await vi.advanceTimersByTimeAsync(60);
    const spawned = observe(group.spawn(untilAborted));
    const joined = observe(group.join());
    await vi.advanceTimersByTimeAsync(39);
    expect(group.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(group.signal.aborted).toBe(true);
    const reason: unknown = group.signal.reason;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    await flushMicrotasks();
    expect(reasonOf(spawned)).toBe(reason);
    expect(reasonOf(joined)).toBe(reason);
  });

  it('waits for a started task that ignores the deadline before join rejects with the TimeoutError', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 10 });
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    const joined = observe(group.join());
    await vi.advanceTimersByTimeAsync(10);
    expect(group.signal.aborted).toBe(true);
    await flushMicrotasks();
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(group.signal.reason);
  });

  it('does not abort a group that completed before its deadline', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 10 });
    const gate = deferred();
    group.spawn(() => gate.promise);
    const joined = group.join();
    await vi.advanceTimersByTimeAsync(5);
    gate.resolve();
    await expect(joined).resolves.toBeUndefined();
    await vi.advanceTimersByTimeAsync(100);
    expect(group.signal.aborted).toBe(false);
  });
});

describe('TaskGroup 5. spawning after the group has failed or been aborted', () => {
  it('calls nothing after a failure and rejects with the failure', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    group.spawn(() => Promise.reject(failure));
    await flushMicrotasks();
    const task = vi.fn();
    await expect(group.spawn(task)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the failure, not a TypeError, while a joined failed group still waits for a task', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    group.spawn(() => Promise.reject(failure));
    const joined = group.join();
    await flushMicrotasks();
    const task = vi.fn();
    await expect(group.spawn(task)).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
    stubborn.resolve();
    await expect(joined).rejects.toBe(failure);
  });

  it('calls nothing after abort(reason) and rejects with the reason', async () => {
    const group = new TaskGroup();
    const reason = new Error('stop');
    group.abort(reason);
    const task = vi.fn();
    await expect(group.spawn(task)).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with the group signal’s own reason after abort()', async () => {
    const group = new TaskGroup();
    group.abort();
    await expect(group.spawn(vi.fn())).rejects.toBe(group.signal.reason);
  });

  it('rejects with the caller’s reason after the caller’s signal aborted', async () => {
    const controller = new AbortController();
    const group = new TaskGroup({ signal: controller.signal });
    const reason = new Error('caller');
    controller.abort(reason);
    const task = vi.fn();
    await expect(group.spawn(task)).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
  });

  it('never reports a spawn promise refused after the failure as unhandled', async () => {
    const reasons = await unhandledRejectionsDuring(() => {
      const group = new TaskGroup();
      group.abort(new Error('stop'));
      group.spawn(vi.fn());
    });
    expect(reasons).toEqual([]);
  });

  it('never calls a task queued under `concurrency` when the group fails, and rejects its promise before join settles', async () => {
    const group = new TaskGroup({ concurrency: 2 });
    const failure = new Error('fail');
    const stubborn = deferred();
    const failing = deferred();
    const order: string[] = [];
    group.spawn(() => stubborn.promise); // ignores the signal
    group.spawn(() => failing.promise);
    const queuedTask = vi.fn();
    const queued = observe(group.spawn(queuedTask));
    group.spawn(queuedTask).catch(() => order.push('queued'));
    const joined = observe(group.join());
    group.join().catch(() => order.push('join'));
    failing.reject(failure);
    await flushMicrotasks();
    expect(reasonOf(queued)).toBe(failure);
    expect(order).toEqual(['queued']);
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
    expect(order).toEqual(['queued', 'join']);
    expect(queuedTask).not.toHaveBeenCalled();
  });

  it('never calls a task queued under `concurrency: 1` after the running task fails', async () => {
    const group = new TaskGroup({ concurrency: 1 });
    const failure = new Error('fail');
    const running = deferred();
    group.spawn(() => running.promise);
    const queuedTask = vi.fn();
    const queued = observe(group.spawn(queuedTask));
    expect(queuedTask).not.toHaveBeenCalled();
    running.reject(failure);
    await flushMicrotasks();
    expect(reasonOf(queued)).toBe(failure);
    await expect(group.join()).rejects.toBe(failure);
    expect(queuedTask).not.toHaveBeenCalled();
  });

  it('never calls a task queued on a shared p-limit when the group fails, and rejects its promise before join settles', async () => {
    const limit = pLimit(2);
    const group = new TaskGroup({ limit });
    const failure = new Error('fail');
    const stubborn = deferred();
    const failing = deferred();
    group.spawn(() => stubborn.promise);
    group.spawn(() => failing.promise);
    const queuedTask = vi.fn();
    const queued = observe(group.spawn(queuedTask));
    const joined = observe(group.join());
    await flushMicrotasks();
    expect(limit.activeCount).toBe(2);
    failing.reject(failure);
    await flushMicrotasks();
    expect(reasonOf(queued)).toBe(failure);
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
    expect(queuedTask).not.toHaveBeenCalled();
    expect(limit.activeCount).toBe(0);
    expect(limit.pendingCount).toBe(0);
  });

  it('rejects a task queued under a bound with the abort reason when the group is aborted', async () => {
    const group = new TaskGroup({ concurrency: 1 });
    const reason = new Error('stop');
    group.spawn(untilAborted);
    const queuedTask = vi.fn();
    const queued = group.spawn(queuedTask);
    group.abort(reason);
    await expect(queued).rejects.toBe(reason);
    await expect(group.join()).rejects.toBe(reason);
    expect(queuedTask).not.toHaveBeenCalled();
  });

  it('gives a queued wrapper’s place back without calling its task when the limiter calls it late', async () => {
    const { limit, wrappers } = recordingLimiter();
    const group = new TaskGroup({ limit });
    const task = vi.fn();
    const spawned = group.spawn(task);
    const reason = new Error('stop');
    group.abort(reason);
    await expect(spawned).rejects.toBe(reason);
    await expect(wrappers[0]?.()).resolves.toBeUndefined();
    expect(task).not.toHaveBeenCalled();
    await expect(group.join()).rejects.toBe(reason);
  });
});

describe('TaskGroup 6. Symbol.asyncDispose', () => {
  it('defines [Symbol.asyncDispose] where the runtime has the symbol', () => {
    expect(typeof Symbol.asyncDispose).toBe('symbol');
    const group = new TaskGroup();
    expect(typeof group[Symbol.asyncDispose]).toBe('function');
  });

  it('waits at the end of an `await using` block for every started task to settle', async () => {
    const gate = deferred<string>();
    let spawned: Promise<string> | undefined;
    const block = observe(
      (async () => {
        await using group = new TaskGroup();
        spawned = group.spawn(() => gate.promise);
      })(),
    );
    await flushMicrotasks();
    expect(block.state.status).toBe('pending');
    gate.resolve('done');
    await flushMicrotasks();
    expect(block.state).toEqual({ status: 'fulfilled', value: undefined });
    await expect(spawned).resolves.toBe('done');
  });

  it('makes an `await using` block reject with a spawned task’s failure', async () => {
    const failure = new Error('fail');
    const block = (async () => {
      await using group = new TaskGroup();
      group.spawn(() => Promise.reject(failure));
    })();
    await expect(block).rejects.toBe(failure);
  });

  it('rejects with a spawned task’s failure only after every started task has settled', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    group.spawn(() => Promise.reject(failure));
    const disposed = observe(group[Symbol.asyncDispose]());
    await flushMicrotasks();
    expect(disposed.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(disposed)).toBe(failure);
  });

  it('rejects with the failure even when group.abort is called after the failure', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    group.spawn(() => Promise.reject(failure));
    await flushMicrotasks();
    group.abort(new Error('too late'));
    await expect(group[Symbol.asyncDispose]()).rejects.toBe(failure);
  });

  it('rejects with the caller’s abort reason', async () => {
    const controller = new AbortController();
    const group = new TaskGroup({ signal: controller.signal });
    group.spawn(untilAborted);
    const reason = new Error('caller');
    controller.abort(reason);
    await expect(group[Symbol.asyncDispose]()).rejects.toBe(reason);
  });

  it('rejects with the deadline’s TimeoutError', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 50 });
    group.spawn(untilAborted);
    const disposed = observe(group[Symbol.asyncDispose]());
    await vi.advanceTimersByTimeAsync(50);
    await flushMicrotasks();
    const reason = reasonOf(disposed);
    expect(reason).toBe(group.signal.reason);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('resolves when join() has already settled with the failure', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    group.spawn(() => Promise.reject(failure));
    await expect(group.join()).rejects.toBe(failure);
    await expect(group[Symbol.asyncDispose]()).resolves.toBeUndefined();
  });

  it('rejects when join() was called but had not settled yet', async () => {
    const group = new TaskGroup();
    const failure = new Error('fail');
    const gate = deferred();
    group.spawn(() => gate.promise);
    const joined = observe(group.join());
    const disposed = observe(group[Symbol.asyncDispose]());
    gate.reject(failure);
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
    expect(reasonOf(disposed)).toBe(failure);
  });

  it('rejects when the group settled in the same turn but join()’s promise had not yet', async () => {
    const group = new TaskGroup();
    const failure = new Error('thrown as it was called');
    group.spawn(() => {
      throw failure;
    });
    const joined = observe(group.join());
    const disposed = observe(group[Symbol.asyncDispose]());
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
    expect(reasonOf(disposed)).toBe(failure);
  });

  it('resolves, after the started tasks have settled, when the group was ended by abort(reason); join still rejects', async () => {
    const group = new TaskGroup();
    const reason = new Error('stop');
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    group.abort(reason);
    const disposed = observe(group[Symbol.asyncDispose]());
    await flushMicrotasks();
    expect(disposed.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(disposed.state).toEqual({ status: 'fulfilled', value: undefined });
    await expect(group.join()).rejects.toBe(reason);
  });

  it('resolves when the group was ended by abort() with no reason', async () => {
    const group = new TaskGroup();
    group.spawn(untilAborted);
    group.abort();
    await expect(group[Symbol.asyncDispose]()).resolves.toBeUndefined();
    await expect(group.join()).rejects.toBe(group.signal.reason);
  });

  it('resolves on success, once every task has fulfilled', async () => {
    const group = new TaskGroup();
    const gate = deferred();
    group.spawn(() => gate.promise);
    const disposed = observe(group[Symbol.asyncDispose]());
    await flushMicrotasks();
    expect(disposed.state.status).toBe('pending');
    gate.resolve();
    await flushMicrotasks();
    expect(disposed.state).toEqual({ status: 'fulfilled', value: undefined });
  });

  it('stops the tasks when the block aborts the group in a catch, and the block rejects with its own error', async () => {
    const failure = new Error('block failed');
    let taskSignal: AbortSignal | undefined;
    const block = (async () => {
      await using group = new TaskGroup();
      group.spawn((signal) => {
        taskSignal = signal;
        return untilAborted(signal);
      });
      try {
        await Promise.reject(failure);
      } catch (error) {
        group.abort(error);
        throw error;
      }
    })();
    await expect(block).rejects.toBe(failure);
    expect(taskSignal?.aborted).toBe(true);
    expect(taskSignal?.reason).toBe(failure);
  });

  it('cannot tell that the block threw: without abort in a catch, it waits for the tasks', async () => {
    const failure = new Error('block failed');
    const gate = deferred();
    let taskSignal: AbortSignal | undefined;
    const block = observe(
      (async () => {
        await using group = new TaskGroup();
        group.spawn((signal) => {
          taskSignal = signal;
          return gate.promise;
        });
        throw failure;
      })(),
    );
    await flushMicrotasks();
    expect(block.state.status).toBe('pending');
    expect(taskSignal?.aborted).toBe(false);
    gate.resolve();
    await flushMicrotasks();
    expect(reasonOf(block)).toBe(failure);
  });
});

describe('TaskGroup 7. options', () => {
  const noop = () => {};
  const sharedLimit = pLimit(2);
  type ErrorClass = typeof TypeError | typeof RangeError;
  const badOptions: Array<[string, unknown, ErrorClass, RegExp]> = [
    ['`options` is a number', 42, TypeError, /`options`/],
    ['`options` is a string', 'fast', TypeError, /`options`/],
    ['`options` is null', null, TypeError, /`options`/],
    ['`signal` is a number', { signal: 42 }, TypeError, /`signal`/],
    ['`signal` is an empty object', { signal: {} }, TypeError, /`signal`/],
    ['`signal` is an AbortController', { signal: new AbortController() }, TypeError, /`signal`/],
    ['`limit` is a number', { limit: 4 }, TypeError, /`limit`/],
    [
      'both `concurrency` and `limit`',
      { concurrency: 2, limit: sharedLimit },
      TypeError,
      /`limit`/,
    ],
    ['`concurrency` is a string', { concurrency: '4' }, TypeError, /`concurrency`/],
    ['`concurrency` is null', { concurrency: null }, TypeError, /`concurrency`/],
    ['`concurrency` is 0', { concurrency: 0 }, RangeError, /`concurrency`/],
    ['`concurrency` is not an integer', { concurrency: 1.5 }, RangeError, /`concurrency`/],
    ['`concurrency` is NaN', { concurrency: Number.NaN }, RangeError, /`concurrency`/],
    ['`timeout` is a string', { timeout: '100' }, TypeError, /`timeout`/],
    ['`timeout` is negative', { timeout: -1 }, RangeError, /`timeout`/],
    ['`timeout` is NaN', { timeout: Number.NaN }, RangeError, /`timeout`/],
    ['`signal` before `limit`', { signal: 42, limit: 42 }, TypeError, /`signal`/],
    [
      '`concurrency` before `timeout`',
      { concurrency: 0, timeout: '1' },
      RangeError,
      /`concurrency`/,
    ],
  ];

  it.each(badOptions)(
    'throws at once, with gather’s message, when %s',
    async (_case, options, ErrorClass, message) => {
      const expected = await gatherAny([], options).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(expected).toBeInstanceOf(ErrorClass);
      let thrown: unknown;
      try {
        new TaskGroupAny(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ErrorClass);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).toBe((expected as Error).message);
    },
  );

  itInNode('links nothing and arms no timer when an option is bad', () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    expect(() => new TaskGroupAny({ signal: controller.signal, timeout: -1 })).toThrow(RangeError);
    expect(abortListenerCount(controller.signal)).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    ['a string', 'yes'],
    ['a number', 1],
    ['null', null],
  ])('ignores `waitForCleanup`, even when it is %s', (_case, waitForCleanup) => {
    expect(() => new TaskGroupAny({ waitForCleanup })).not.toThrow();
  });

  it('waits for started tasks after a failure even with `waitForCleanup: false`', async () => {
    const group = new TaskGroupAny({ waitForCleanup: false });
    const failure = new Error('fail');
    const stubborn = deferred();
    group.spawn(() => stubborn.promise);
    group.spawn(() => Promise.reject(failure));
    const joined = observe(group.join());
    await flushMicrotasks();
    expect(joined.state.status).toBe('pending');
    stubborn.resolve();
    await flushMicrotasks();
    expect(reasonOf(joined)).toBe(failure);
  });

  it.each([
    ['no options', undefined],
    [
      'options that are all undefined',
      { signal: undefined, limit: undefined, concurrency: undefined, timeout: undefined },
    ],
    ['`signal: null`', { signal: null }],
    [
      'a signal-like object',
      { signal: { aborted: false, addEventListener: noop, removeEventListener: noop } },
    ],
    ['`concurrency: Infinity`', { concurrency: Number.POSITIVE_INFINITY }],
    ['`timeout: Infinity`', { timeout: Number.POSITIVE_INFINITY }],
  ])('accepts %s and calls task functions at once', async (_case, options) => {
    const group = new TaskGroupAny(options);
    const task = vi.fn(() => 'value');
    const spawned = group.spawn(task);
    expect(task).toHaveBeenCalledTimes(1);
    await expect(spawned).resolves.toBe('value');
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('with `concurrency`, runs spawned tasks in spawn order and never more at once than the bound', async () => {
    const group = new TaskGroup({ concurrency: 2 });
    const tasks = probe();
    const spawned = labels('t', 5).map((label) => group.spawn(tasks.task(label)));
    expect(tasks.started).toEqual(['t0', 't1']);
    const joined = group.join();
    for (const label of ['t1', 't0', 't3', 't2', 't4']) {
      tasks.resolve(label);
      await flushMicrotasks();
      expect(tasks.running).toBeLessThanOrEqual(2);
    }
    expect(tasks.started).toEqual(labels('t', 5));
    expect(tasks.maxRunning).toBe(2);
    await expect(Promise.all(spawned)).resolves.toEqual(labels('t', 5));
    await expect(joined).resolves.toBeUndefined();
  });

  it('with `concurrency: 1`, queues a task spawned while one runs and calls it when that one settles', async () => {
    const group = new TaskGroup({ concurrency: 1 });
    const running = deferred();
    group.spawn(() => running.promise);
    const next = vi.fn((_signal: AbortSignal) => 'next');
    const spawned = group.spawn(next);
    expect(next).not.toHaveBeenCalled();
    running.resolve();
    await flushMicrotasks();
    expect(next).toHaveBeenCalledTimes(1);
    expect(next.mock.calls[0]?.[0]).toBe(group.signal);
    await expect(spawned).resolves.toBe('next');
  });

  it('with `concurrency: 1`, calls synchronous task functions one after another, each during its spawn', () => {
    const group = new TaskGroup({ concurrency: 1 });
    const order: string[] = [];
    group.spawn(() => order.push('a'));
    group.spawn(() => order.push('b'));
    group.spawn(() => order.push('c'));
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('with a shared p-limit, bounds two groups together and reaches the bound', async () => {
    const limit = pLimit(2);
    const first = new TaskGroup({ limit });
    const second = new TaskGroup({ limit });
    const tasks = probe();
    const a = labels('a', 3).map((label) => first.spawn(tasks.task(label)));
    const b = labels('b', 3).map((label) => second.spawn(tasks.task(label)));
    const joins = [first.join(), second.join()];
    await flushMicrotasks();
    expect(tasks.running).toBe(2);
    for (const label of ['a1', 'b2', 'a0', 'b0', 'a2', 'b1']) {
      tasks.resolve(label);
      await flushMicrotasks();
      expect(tasks.running).toBeLessThanOrEqual(2);
    }
    expect(tasks.maxRunning).toBe(2);
    expect(tasks.started.filter((label) => label.startsWith('a'))).toEqual(labels('a', 3));
    expect(tasks.started.filter((label) => label.startsWith('b'))).toEqual(labels('b', 3));
    await expect(Promise.all(a)).resolves.toEqual(labels('a', 3));
    await expect(Promise.all(b)).resolves.toEqual(labels('b', 3));
    await expect(Promise.all(joins)).resolves.toEqual([undefined, undefined]);
  });

  it('with a shared p-limit, keeps the place of a started task after its group was aborted, until it settles', async () => {
    const limit = pLimit(1);
    const aborted = new TaskGroup({ limit });
    const other = new TaskGroup({ limit });
    const stubborn = deferred();
    aborted.spawn(() => stubborn.promise);
    await flushMicrotasks();
    aborted.abort(new Error('stop'));
    const next = vi.fn(() => 'next');
    const spawned = other.spawn(next);
    await flushMicrotasks();
    expect(next).not.toHaveBeenCalled();
    stubborn.resolve();
    await flushMicrotasks();
    expect(next).toHaveBeenCalledTimes(1);
    await expect(spawned).resolves.toBe('next');
    await expect(aborted.join()).rejects.toThrow('stop');
  });

  it('hands the limiter a wrapper at spawn and calls the task function with the group’s signal when the wrapper runs', async () => {
    const { limit, wrappers } = recordingLimiter();
    const group = new TaskGroup({ limit });
    const task = vi.fn((_signal: AbortSignal) => 'value');
    const spawned = group.spawn(task);
    expect(wrappers).toHaveLength(1);
    expect(task).not.toHaveBeenCalled();
    await wrappers[0]?.();
    expect(task).toHaveBeenCalledTimes(1);
    expect(task.mock.calls[0]?.[0]).toBe(group.signal);
    await expect(spawned).resolves.toBe('value');
  });

  it('fails the group with the limiter’s error when the limiter refuses a task before calling it', async () => {
    const { limit, queued } = recordingLimiter();
    const group = new TaskGroup({ limit });
    const refusal = new Error('queue cleared');
    const task = vi.fn();
    const spawned = group.spawn(task);
    queued[0]?.reject(refusal);
    await expect(spawned).rejects.toBe(refusal);
    await expect(group.join()).rejects.toBe(refusal);
    expectAbortErrorCausedBy(group.signal.reason, refusal);
    expect(task).not.toHaveBeenCalled();
  });

  itInNode(
    'links to the caller’s signal once and removes the listener when the group settles',
    async () => {
      const controller = new AbortController();
      const group = new TaskGroup({ signal: controller.signal });
      expect(abortListenerCount(controller.signal)).toBe(1);
      const gate = deferred();
      group.spawn(() => gate.promise);
      group.spawn(() => 'sync');
      const joined = group.join();
      expect(abortListenerCount(controller.signal)).toBe(1);
      gate.resolve();
      await joined;
      expect(abortListenerCount(controller.signal)).toBe(0);
    },
  );

  itInNode(
    'removes the listener from the caller’s signal when the group settles after a failure',
    async () => {
      const controller = new AbortController();
      const group = new TaskGroup({ signal: controller.signal });
      group.spawn(() => Promise.reject(new Error('fail')));
      await group.join().catch(() => {});
      expect(abortListenerCount(controller.signal)).toBe(0);
    },
  );

  itInNode(
    'removes the listener from the caller’s signal when the group settles after abort()',
    async () => {
      const controller = new AbortController();
      const group = new TaskGroup({ signal: controller.signal });
      group.spawn(untilAborted);
      group.abort();
      await group.join().catch(() => {});
      expect(abortListenerCount(controller.signal)).toBe(0);
    },
  );

  itInNode('shares one listener on a caller’s signal among many groups', () => {
    const controller = new AbortController();
    const groups = Array.from({ length: 20 }, () => new TaskGroup({ signal: controller.signal }));
    expect(abortListenerCount(controller.signal)).toBe(1);
    for (const group of groups) void group.join();
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('keeps no timer without a timeout', () => {
    vi.useFakeTimers();
    void new TaskGroup();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the group settles after success', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    const gate = deferred();
    group.spawn(() => gate.promise);
    const joined = group.join();
    expect(vi.getTimerCount()).toBe(1);
    gate.resolve();
    await joined;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the group settles after a failure', async () => {
    vi.useFakeTimers();
    const group = new TaskGroup({ timeout: 1_000 });
    group.spawn(() => Promise.reject(new Error('fail')));
    await group.join().catch(() => {});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('TaskGroup: a long-lived group', () => {
  it('keeps settling spawn promises with their own values over several idle periods', async () => {
    const group = new TaskGroup();
    for (let wave = 0; wave < 5; wave++) {
      const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
      const spawned = gates.map((gate) => group.spawn(() => gate.promise));
      const sync = group.spawn(() => `sync ${wave}`);
      gates[2]?.resolve(`c ${wave}`);
      gates[0]?.resolve(`a ${wave}`);
      await flushMicrotasks();
      gates[1]?.resolve(`b ${wave}`);
      await expect(Promise.all([...spawned, sync])).resolves.toEqual([
        `a ${wave}`,
        `b ${wave}`,
        `c ${wave}`,
        `sync ${wave}`,
      ]);
      await flushMicrotasks(); // idle: nothing pending, not joined
    }
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('keeps a task pending across settles of later ones, idle periods before and after', async () => {
    const group = new TaskGroup();
    await group.spawn(() => 'warm-up');
    const longGate = deferred<string>();
    const long = group.spawn(() => longGate.promise);
    for (let round = 0; round < 3; round++) {
      await expect(group.spawn(async () => `short ${round}`)).resolves.toBe(`short ${round}`);
    }
    longGate.resolve('long');
    await expect(long).resolves.toBe('long');
    await flushMicrotasks();
    await expect(group.spawn(() => 'after')).resolves.toBe('after');
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('keeps its concurrency bound and spawn order over several idle periods', async () => {
    const group = new TaskGroup({ concurrency: 2 });
    const tasks = probe();
    for (let wave = 0; wave < 4; wave++) {
      const names = labels(`w${wave}-`, 4);
      const spawned = names.map((name) => group.spawn(tasks.task(name)));
      for (const name of [names[1], names[0], names[3], names[2]]) {
        tasks.resolve(name as string, `${name} done`);
        await flushMicrotasks();
        expect(tasks.running).toBeLessThanOrEqual(2);
      }
      await expect(Promise.all(spawned)).resolves.toEqual(names.map((name) => `${name} done`));
      await flushMicrotasks();
    }
    expect(tasks.started).toEqual([0, 1, 2, 3].flatMap((wave) => labels(`w${wave}-`, 4)));
    expect(tasks.maxRunning).toBe(2);
    await expect(group.join()).resolves.toBeUndefined();
  });

  it('reports no ignored spawn promise unhandled when a failure follows settled and recycled tasks', async () => {
    const reasons = await unhandledRejectionsDuring(async () => {
      const group = new TaskGroup();
      await group.spawn(() => 'settled');
      const gates = [deferred(), deferred(), deferred()];
      for (const gate of gates) group.spawn(() => gate.promise);
      gates[1]?.reject(new Error('first failure'));
      await flushMicrotasks();
      gates[0]?.reject(new Error('later failure'));
      gates[2]?.reject(new Error('later failure'));
      await flushMicrotasks();
    });
    expect(reasons).toEqual([]);
  });

  it('still fails, aborts and rejects queued tasks after several idle periods', async () => {
    const group = new TaskGroup({ concurrency: 1 });
    for (let wave = 0; wave < 3; wave++) {
      await expect(group.spawn(async () => wave)).resolves.toBe(wave);
      await flushMicrotasks();
    }
    const failure = new Error('fail');
    const running = deferred();
    group.spawn(() => running.promise);
    const queuedTask = vi.fn();
    const queued = group.spawn(queuedTask);
    running.reject(failure);
    await expect(queued).rejects.toBe(failure);
    await expect(group.join()).rejects.toBe(failure);
    expectAbortErrorCausedBy(group.signal.reason, failure);
    expect(queuedTask).not.toHaveBeenCalled();
  });
});
