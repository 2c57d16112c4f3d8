import { afterEach, describe, expect, it, vi } from 'vitest';
import { gatherSettled } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { fulfillingThenable, manualThenable } from './support/fixtures';

describe('gatherSettled 1. same shapes, starts and options', () => {
  it('gives slots deep-equal to Promise.allSettled for promises and plain values', async () => {
    const failure = new Error('no');
    const make = () => [1, Promise.resolve(undefined), Promise.reject(failure), null, 'x'];
    expect(await gatherSettled(make())).toStrictEqual(await Promise.allSettled(make()));
  });

  it('gives slots deep-equal to Promise.allSettled for task functions', async () => {
    const failure = new Error('no');
    const result = await gatherSettled([
      () => 1,
      () => Promise.resolve('async'),
      () => {
        throw failure;
      },
      () => Promise.reject(undefined),
    ]);
    expect(result).toStrictEqual(
      await Promise.allSettled([1, 'async', Promise.reject(failure), Promise.reject(undefined)]),
    );
  });

  it('resolves a plain object with a null-prototype object of slots in key order', async () => {
    const failure = new Error('no');
    const key = Symbol('key');
    const result = await gatherSettled({ b: () => 2, a: Promise.reject(failure), [key]: 's' });
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Reflect.ownKeys(result)).toEqual(['b', 'a', key]);
    expect(result.b).toStrictEqual({ status: 'fulfilled', value: 2 });
    expect(result.a).toStrictEqual({ status: 'rejected', reason: failure });
    expect(result[key]).toStrictEqual({ status: 'fulfilled', value: 's' });
  });

  it('resolves a Map with a new Map of slots with the same keys in the same order', async () => {
    const input = new Map<string, unknown>([
      ['y', () => 'why'],
      ['x', Promise.reject('ex')],
    ]);
    const result = await gatherSettled(input);
    expect(result).toBeInstanceOf(Map);
    expect(result).not.toBe(input);
    expect([...result.entries()]).toStrictEqual([
      ['y', { status: 'fulfilled', value: 'why' }],
      ['x', { status: 'rejected', reason: 'ex' }],
    ]);
  });

  it('calls every task function synchronously, in input order, with the same call signal', () => {
    const signals: AbortSignal[] = [];
    const order: string[] = [];
    const call = gatherSettled([
      (signal) => {
        order.push('a');
        signals.push(signal);
      },
      (signal) => {
        order.push('b');
        signals.push(signal);
      },
    ]);
    expect(order).toEqual(['a', 'b']);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[1]).toBe(signals[0]);
    return call;
  });
});

describe('gatherSettled 2. a failure does not abort the siblings', () => {
  it('leaves the call signal unaborted when a task rejects', async () => {
    let signal: AbortSignal | undefined;
    const sibling = deferred<string>();
    const call = gatherSettled([
      (s) => {
        signal = s;
        return sibling.promise;
      },
      () => Promise.reject(new Error('no')),
    ]);
    await flushMicrotasks();
    expect(signal?.aborted).toBe(false);
    sibling.resolve('still wanted');
    await expect(call).resolves.toMatchObject([{ status: 'fulfilled', value: 'still wanted' }, {}]);
    expect(signal?.aborted).toBe(false);
  });

  it('keeps calling later task functions after one throws', async () => {
    const later = vi.fn(() => 'later');
    const result = await gatherSettled([
      () => {
        throw new Error('no');
      },
      later,
    ]);
    expect(later).toHaveBeenCalledTimes(1);
    expect(result[1]).toStrictEqual({ status: 'fulfilled', value: 'later' });
  });

  it('stays pending until every task has settled', async () => {
    const slow = deferred<string>();
    const call = observe(gatherSettled([() => Promise.reject(new Error('no')), slow.promise]));
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    slow.resolve('done');
    await flushMicrotasks();
    expect(call.state.status).toBe('fulfilled');
  });
});

describe('gatherSettled 3. caller’s abort and deadline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts the call signal with the caller’s reason, the same object', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const call = gatherSettled(
      [
        (s) => {
          signal = s;
          return never();
        },
      ],
      { signal: controller.signal },
    );
    const reason = new Error('stop');
    controller.abort(reason);
    await call;
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(reason);
  });

  it('reads a task function never started as rejected with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const notStarted = vi.fn(() => 'never');
    const result = await gatherSettled(
      [
        () => {
          controller.abort(reason);
        },
        notStarted,
      ],
      { signal: controller.signal },
    );
    expect(notStarted).not.toHaveBeenCalled();
    expect(result[1]).toStrictEqual({ status: 'rejected', reason });
  });

  it('counts a task function that returned or threw before the abort as settled', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const thrown = new Error('thrown');
    const result = await gatherSettled(
      [
        () => 'returned',
        () => {
          throw thrown;
        },
        () => {
          controller.abort(reason);
        },
      ],
      { signal: controller.signal },
    );
    expect(result[0]).toStrictEqual({ status: 'fulfilled', value: 'returned' });
    expect(result[1]).toStrictEqual({ status: 'rejected', reason: thrown });
  });

  // Runs of up to 4,096 slots keep their states in a list, longer ones in a Uint8Array.
  it.each([4096, 4097])(
    'with %i task functions, keeps those that returned before the abort and reads the aborting one and those never started as rejected',
    async (count) => {
      const controller = new AbortController();
      const reason = new Error('stop');
      const abortAt = count - 2;
      const started = vi.fn();
      const tasks = Array.from({ length: count }, (_, index) => () => {
        started(index);
        if (index === abortAt) controller.abort(reason);
        return index;
      });
      const result = await gatherSettled(tasks, { signal: controller.signal });
      expect(started).toHaveBeenCalledTimes(abortAt + 1);
      expect(result.slice(0, abortAt)).toStrictEqual(
        Array.from({ length: abortAt }, (_, value) => ({ status: 'fulfilled', value })),
      );
      expect(result.slice(abortAt)).toStrictEqual([
        { status: 'rejected', reason },
        { status: 'rejected', reason },
      ]);
    },
  );

  it('reads a task function that aborts the caller’s signal while it runs as rejected with the abort reason', async () => {
    const controller = new AbortController();
    const result = await gatherSettled(
      [
        () => {
          controller.abort('stop');
          return 'own value';
        },
      ],
      { signal: controller.signal },
    );
    expect(result).toStrictEqual([{ status: 'rejected', reason: 'stop' }]);
  });

  it('reads a running task function as rejected with the abort reason and resolves without waiting for it', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const call = gatherSettled([() => never(), () => 'done'], { signal: controller.signal });
    await flushMicrotasks();
    controller.abort(reason);
    await expect(call).resolves.toStrictEqual([
      { status: 'rejected', reason },
      { status: 'fulfilled', value: 'done' },
    ]);
  });

  it('keeps the outcome of tasks that settled before the abort', async () => {
    const controller = new AbortController();
    const failure = new Error('own failure');
    const call = gatherSettled(
      [Promise.resolve('early'), () => Promise.reject(failure), () => never()],
      { signal: controller.signal },
    );
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).resolves.toStrictEqual([
      { status: 'fulfilled', value: 'early' },
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason },
    ]);
  });

  it('reads pending promise and thenable slots as rejected with the abort reason', async () => {
    const controller = new AbortController();
    const pending = deferred<string>();
    const thenable = manualThenable<string>();
    const call = gatherSettled([pending.promise, thenable], { signal: controller.signal });
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).resolves.toStrictEqual([
      { status: 'rejected', reason },
      { status: 'rejected', reason },
    ]);
  });

  it('with waitForCleanup, reads a running task function’s own outcome once it settles', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const call = gatherSettled([() => running.promise], {
      signal: controller.signal,
      waitForCleanup: true,
    });
    controller.abort(new Error('stop'));
    running.resolve('cancelled but returned a value');
    await expect(call).resolves.toStrictEqual([
      { status: 'fulfilled', value: 'cancelled but returned a value' },
    ]);
  });

  it('with waitForCleanup, reads the own value of a task function that returns after aborting the caller’s signal', async () => {
    const controller = new AbortController();
    const result = await gatherSettled(
      [
        () => {
          controller.abort('stop');
          return 'own value';
        },
        () => 'never started',
      ],
      { signal: controller.signal, waitForCleanup: true },
    );
    expect(result).toStrictEqual([
      { status: 'fulfilled', value: 'own value' },
      { status: 'rejected', reason: 'stop' },
    ]);
  });

  it('with waitForCleanup, reads the own error of a task function that throws after aborting the caller’s signal', async () => {
    const controller = new AbortController();
    const thrown = new Error('own error');
    const result = await gatherSettled(
      [
        () => {
          controller.abort('stop');
          throw thrown;
        },
      ],
      { signal: controller.signal, waitForCleanup: true },
    );
    expect(result).toStrictEqual([{ status: 'rejected', reason: thrown }]);
  });

  it('with waitForCleanup, resolves only after every running task function has settled', async () => {
    const controller = new AbortController();
    const running = deferred();
    const call = observe(
      gatherSettled([() => running.promise, () => 'done'], {
        signal: controller.signal,
        waitForCleanup: true,
      }),
    );
    const reason = new Error('stop');
    controller.abort(reason);
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    running.reject(reason);
    await flushMicrotasks();
    expect(call.state).toStrictEqual({
      status: 'fulfilled',
      value: [
        { status: 'rejected', reason },
        { status: 'fulfilled', value: 'done' },
      ],
    });
  });

  it('with waitForCleanup, still fixes pending promise slots at the abort', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const pending = deferred<string>();
    const call = gatherSettled([() => running.promise, pending.promise], {
      signal: controller.signal,
      waitForCleanup: true,
    });
    const reason = new Error('stop');
    controller.abort(reason);
    pending.resolve('too late');
    await flushMicrotasks();
    running.resolve('own');
    await expect(call).resolves.toStrictEqual([
      { status: 'fulfilled', value: 'own' },
      { status: 'rejected', reason },
    ]);
  });

  it('on the deadline, resolves with partial results and a TimeoutError in unfinished slots', async () => {
    vi.useFakeTimers();
    let signal: AbortSignal | undefined;
    const call = observe(
      gatherSettled(
        [
          () => 'fast',
          (s) => {
            signal = s;
            return never();
          },
          never(),
        ],
        { timeout: 50 },
      ),
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(call.state.status).toBe('fulfilled');
    if (call.state.status !== 'fulfilled') return;
    const [fast, slow, promise] = call.state.value;
    expect(fast).toStrictEqual({ status: 'fulfilled', value: 'fast' });
    expect(slow?.status).toBe('rejected');
    const reason = slow?.status === 'rejected' ? slow.reason : undefined;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(promise).toStrictEqual({ status: 'rejected', reason });
    expect(signal?.reason).toBe(reason);
  });

  it('with an already-aborted signal, resolves with every slot rejected with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    const task = vi.fn(() => 'never');
    const thenable = fulfillingThenable('never');
    const result = await gatherSettled(
      [task, Promise.resolve('promise'), thenable, 'plain', Promise.reject(new Error('own'))],
      { signal: controller.signal },
    );
    expect(task).not.toHaveBeenCalled();
    expect(result).toStrictEqual(Array.from({ length: 5 }, () => ({ status: 'rejected', reason })));
  });

  it('with an already-aborted signal, gives keyed slots rejected with its reason', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const result = await gatherSettled(new Map([['k', 1]]), { signal: controller.signal });
    expect([...result.entries()]).toStrictEqual([['k', { status: 'rejected', reason: 'already' }]]);
  });
});

describe('gatherSettled 4. rejects only for invalid arguments or unreadable input', () => {
  it('resolves when every task fails', async () => {
    const result = await gatherSettled([
      () => Promise.reject(new Error('a')),
      Promise.reject(new Error('b')),
    ]);
    expect(result.map((slot) => slot.status)).toEqual(['rejected', 'rejected']);
  });

  it('rejects with a TypeError when the input is not a collection', async () => {
    await expect(gatherSettled(42 as unknown as unknown[])).rejects.toThrow(TypeError);
  });

  it('rejects with the error an iterator throws while the input is read', async () => {
    const failure = new Error('cannot read');
    function* tasks() {
      yield 1;
      throw failure;
    }
    await expect(gatherSettled(tasks())).rejects.toBe(failure);
  });

  it('never writes to the value it resolved with after resolving', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const pending = deferred<string>();
    const call = gatherSettled([() => running.promise, pending.promise, () => 'done'], {
      signal: controller.signal,
    });
    controller.abort('stop');
    const result = await call;
    const snapshot = result.map((slot) => ({ ...slot }));
    const slots = [...result];
    running.resolve('late');
    pending.reject(new Error('late'));
    await flushMicrotasks();
    expect(result).toStrictEqual(snapshot);
    expect([...result]).toEqual(slots);
    result.forEach((slot, index) => {
      expect(slot).toBe(slots[index]);
    });
  });
});
