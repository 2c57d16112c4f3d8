import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf, fakeSignal, fulfillingThenable, manualThenable } from './support/fixtures';

describe('Words: task function', () => {
  it('calls each task function exactly once, with the call signal as its only argument', async () => {
    const task = vi.fn((_signal: AbortSignal) => 1);
    await gather([task]);
    expect(task).toHaveBeenCalledTimes(1);
    expect(task.mock.calls[0]).toHaveLength(1);
    expect(task.mock.calls[0]?.[0]).toBeInstanceOf(AbortSignal);
  });

  it('takes the non-thenable value a task function returns as its result', async () => {
    const value = { id: 1 };
    const [result] = await gather([() => value]);
    expect(result).toBe(value);
  });

  it('adopts a promise a task function returns', async () => {
    await expect(gather([() => Promise.resolve('later')])).resolves.toEqual(['later']);
  });

  it('adopts a thenable a task function returns', async () => {
    await expect(gather([() => fulfillingThenable('adopted')])).resolves.toEqual(['adopted']);
  });
});

describe('Words: task', () => {
  it('awaits promises, thenables and plain values as Promise.all does', async () => {
    const make = () => [1, 'two', Promise.resolve(3), fulfillingThenable(4), null, undefined];
    expect(await gather(make())).toEqual(await Promise.all(make()));
  });

  it('gathers a function as a value when a task function returns it', async () => {
    const fn = (x: number) => x * 2;
    const [result] = await gather([() => fn]);
    expect(result).toBe(fn);
  });
});

describe('gather 1. shape', () => {
  it('resolves positional input with an array in input order, whatever the settle order', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const call = gather([() => first.promise, () => second.promise, 'third']);
    second.resolve('b');
    await flushMicrotasks();
    first.resolve('a');
    await expect(call).resolves.toEqual(['a', 'b', 'third']);
  });

  it('resolves a plain object with a null-prototype object with the same keys in the same order', async () => {
    const result = await gather({ b: () => 2, a: Promise.resolve(1), 2: 'two', 1: () => 'one' });
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Reflect.ownKeys(result)).toEqual(['1', '2', 'b', 'a']);
    expect({ ...result }).toEqual({ 1: 'one', 2: 'two', a: 1, b: 2 });
  });

  it('keeps the symbol keys of a plain object, after the string keys', async () => {
    const key = Symbol('key');
    const input = { [key]: () => 's', z: 'z' };
    const result = await gather(input);
    expect(Reflect.ownKeys(result)).toEqual(['z', key]);
    expect(result[key]).toBe('s');
  });

  it('treats a "__proto__" key as an ordinary key and writes through no prototype', async () => {
    const input: Record<string, unknown> = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
    const result: Record<string, unknown> = await gather(input);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toEqual({ polluted: true });
    expect(Reflect.ownKeys(result)).toEqual(['__proto__', 'x']);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('resolves a Map with a new Map with the same keys in the same order', async () => {
    const objectKey = {};
    const input = new Map<unknown, unknown>([
      ['b', () => 2],
      [objectKey, Promise.resolve('object')],
      [1, 'one'],
    ]);
    const result = await gather(input);
    expect(result).toBeInstanceOf(Map);
    expect(result).not.toBe(input);
    expect([...result.keys()]).toEqual(['b', objectKey, 1]);
    expect([...result.values()]).toEqual([2, 'object', 'one']);
  });

  it('resolves empty input with an empty array, an empty null-prototype object and a new empty Map', async () => {
    await expect(gather([])).resolves.toEqual([]);
    const object = await gather({});
    expect(Object.getPrototypeOf(object)).toBeNull();
    expect(Reflect.ownKeys(object)).toEqual([]);
    const map = new Map();
    const mapResult = await gather(map);
    expect(mapResult).toBeInstanceOf(Map);
    expect(mapResult).not.toBe(map);
    expect(mapResult.size).toBe(0);
  });

  it('makes a keyed result with a function under "then" a thenable, which awaiting calls', async () => {
    const then = vi.fn((resolve: (value: string) => void) => resolve('adopted'));
    // biome-ignore lint/suspicious/noThenProperty: a `then` key is what this test is about.
    const result: unknown = await gather({ then: () => then });
    expect(then).toHaveBeenCalledTimes(1);
    expect(result).toBe('adopted');
  });
});

describe('gather 2. start', () => {
  it('calls every task function synchronously during the call, in input order', () => {
    const order: string[] = [];
    const call = gather([
      () => order.push('a'),
      'value',
      () => order.push('b'),
      () => order.push('c'),
    ]);
    expect(order).toEqual(['a', 'b', 'c']);
    return call;
  });

  it('calls the task functions of a plain object and of a Map synchronously, in key order', () => {
    const order: string[] = [];
    const objectCall = gather({ x: () => order.push('x'), y: () => order.push('y') });
    const mapCall = gather(
      new Map([
        ['m', () => order.push('m')],
        ['n', () => order.push('n')],
      ]),
    );
    expect(order).toEqual(['x', 'y', 'm', 'n']);
    return Promise.all([objectCall, mapCall]);
  });

  it('hands every task function of the call the same signal', async () => {
    const signals: AbortSignal[] = [];
    await gather([(signal) => signals.push(signal), (signal) => signals.push(signal)]);
    await gather({ a: (signal: AbortSignal) => signals.push(signal) });
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[1]).toBe(signals[0]);
    expect(signals[2]).toBeInstanceOf(AbortSignal);
    expect(signals[2]).not.toBe(signals[0]);
  });

  it('hands a signal that is not aborted to a task function on the success path', async () => {
    let aborted: boolean | undefined;
    await gather([
      (signal) => {
        aborted = signal.aborted;
      },
    ]);
    expect(aborted).toBe(false);
  });

  it('calls no further task function once a task function has thrown', async () => {
    const failure = new Error('boom');
    const later = vi.fn();
    const call = gather([
      () => {
        throw failure;
      },
      later,
    ]);
    expect(later).not.toHaveBeenCalled();
    await expect(call).rejects.toBe(failure);
    expect(later).not.toHaveBeenCalled();
  });

  it('returns a promise instead of throwing synchronously', async () => {
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = gather(42 as unknown as unknown[]);
    }).not.toThrow();
    expect(call).toBeInstanceOf(Promise);
    await expect(call).rejects.toBeInstanceOf(TypeError);
  });
  it('rejects, without throwing or starting anything, when a signal-like’s addEventListener throws', async () => {
    const failure = new Error('cannot listen');
    const signal = fakeSignal();
    signal.addEventListener = () => {
      throw failure;
    };
    const task = vi.fn();
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = gather([task], { signal });
    }).not.toThrow();
    await expect(call).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects, without throwing or starting anything, when an aborted signal-like’s reason getter throws', async () => {
    const failure = new Error('cannot read reason');
    const signal = {
      aborted: true,
      get reason(): unknown {
        throw failure;
      },
      addEventListener() {},
      removeEventListener() {},
    };
    const task = vi.fn();
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = gather([task], { signal });
    }).not.toThrow();
    await expect(call).rejects.toBe(failure);
    expect(task).not.toHaveBeenCalled();
  });
});

describe('gather 3. success', () => {
  it('stays pending until every task has fulfilled', async () => {
    const last = deferred<number>();
    const call = observe(gather([() => 1, Promise.resolve(2), () => last.promise]));
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    last.resolve(3);
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'fulfilled', value: [1, 2, 3] });
  });

  it('resolves with a new array, never the input array', async () => {
    const input = [1, 2];
    const result = await gather(input);
    expect(result).not.toBe(input);
    expect(result).toEqual([1, 2]);
  });
});

describe('gather 4. fail fast, cancel siblings', () => {
  it('rejects with the very reason a task rejected with', async () => {
    const failure = new Error('rejected');
    await expect(gather([() => Promise.reject(failure), () => 1])).rejects.toBe(failure);
  });

  it('rejects with the very error a task function threw', async () => {
    const failure = new Error('thrown');
    await expect(
      gather([
        () => {
          throw failure;
        },
      ]),
    ).rejects.toBe(failure);
  });

  it('rejects with the very reason a promise task rejected with', async () => {
    const failure = { not: 'an error' };
    await expect(gather([Promise.reject(failure)])).rejects.toBe(failure);
  });

  it('rejects without waiting for siblings that are still running', async () => {
    const failure = new Error('fail');
    const failing = deferred();
    const call = gather([() => never(), () => failing.promise, never()]);
    failing.reject(failure);
    await expect(call).rejects.toBe(failure);
  });

  it('aborts the call signal with an "AbortError" DOMException whose cause is the failure', async () => {
    const failure = new Error('fail');
    let signal: AbortSignal | undefined;
    const call = gather([
      (s) => {
        signal = s;
        return never();
      },
      () => Promise.reject(failure),
    ]);
    await expect(call).rejects.toBe(failure);
    expect(signal?.aborted).toBe(true);
    const reason: unknown = signal?.reason;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(Object.hasOwn(reason as object, 'cause')).toBe(true);
    expect(causeOf(reason)).toBe(failure);
  });

  it('aborts the call signal when a promise task rejects', async () => {
    const failure = new Error('fail');
    const rejecting = deferred();
    let signal: AbortSignal | undefined;
    const call = gather([
      (s) => {
        signal = s;
        return never();
      },
      rejecting.promise,
    ]);
    expect(signal?.aborted).toBe(false);
    rejecting.reject(failure);
    await expect(call).rejects.toBe(failure);
    expect(signal?.aborted).toBe(true);
    expect(causeOf(signal?.reason)).toBe(failure);
  });

  it('aborts the call signal at the moment the failure is observed, not when the call is awaited', async () => {
    const failure = new Error('fail');
    const failing = deferred();
    let signal: AbortSignal | undefined;
    const call = observe(
      gather([
        (s) => {
          signal = s;
          return never();
        },
        () => failing.promise,
      ]),
    );
    failing.reject(failure);
    await flushMicrotasks();
    expect(signal?.aborted).toBe(true);
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
  });

  it('keeps its failure when a sibling rejects from inside an abort listener', async () => {
    const failure = new Error('first');
    const failing = deferred();
    const sibling = manualThenable<string>();
    const call = gather([
      (signal) => {
        signal.addEventListener('abort', () => sibling.reject(new Error('re-entrant')));
        return never();
      },
      sibling,
      () => failing.promise,
    ]);
    await flushMicrotasks();
    expect(sibling.calls).toBe(1);
    failing.reject(failure);
    await expect(call).rejects.toBe(failure);
  });

  it('does not resolve when the last pending sibling fulfils from inside an abort listener', async () => {
    const failure = new Error('first');
    const failing = deferred();
    const sibling = manualThenable<string>();
    const call = gather([
      (signal) => {
        signal.addEventListener('abort', () => sibling.resolve('re-entrant'));
        return 'done';
      },
      sibling,
      () => failing.promise,
    ]);
    await flushMicrotasks();
    expect(sibling.calls).toBe(1);
    failing.reject(failure);
    await expect(call).rejects.toBe(failure);
  });

  it('keeps its failure and abort reason when the caller aborts from inside an abort listener', async () => {
    const failure = new Error('first');
    const controller = new AbortController();
    const failing = deferred();
    let signal: AbortSignal | undefined;
    const call = gather(
      [
        (s) => {
          signal = s;
          s.addEventListener('abort', () => controller.abort(new Error('caller')));
          return never();
        },
        () => failing.promise,
      ],
      { signal: controller.signal },
    );
    failing.reject(failure);
    await expect(call).rejects.toBe(failure);
    expect(causeOf(signal?.reason)).toBe(failure);
  });
});

describe('gather 5. only the first failure counts', () => {
  it('rejects with the first failure observed, not the first in input order', async () => {
    const early = deferred();
    const late = deferred();
    const call = observe(gather([() => early.promise, () => late.promise]));
    const second = new Error('second in input, first to fail');
    late.reject(second);
    await flushMicrotasks();
    early.reject(new Error('first in input, second to fail'));
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: second });
  });

  const promiseAllCases: Array<[string, () => unknown[]]> = [
    ['two rejected promises', () => [Promise.reject('a'), Promise.reject('b')]],
    [
      'a promise that rejects a turn later before one already rejected',
      () => [Promise.resolve().then(() => Promise.reject('slow')), Promise.reject('fast'), 1],
    ],
    [
      'plain values around a rejected promise',
      () => [1, Promise.resolve(2), Promise.reject('only'), 'x'],
    ],
    [
      'chains of different depth',
      () => [
        Promise.resolve()
          .then(() => undefined)
          .then(() => Promise.reject('deep')),
        Promise.resolve().then(() => Promise.reject('shallow')),
      ],
    ],
  ];

  it.each(promiseAllCases)('gives the reason Promise.all gives for %s', async (_name, make) => {
    const expected = await Promise.all(make()).then(
      () => 'fulfilled',
      (reason: unknown) => reason,
    );
    await expect(gather(make())).rejects.toBe(expected);
  });

  it('observes a task function that throws before an earlier promise that is already rejected', async () => {
    const rejected = Promise.reject(new Error('rejected promise, earlier in input'));
    const thrown = new Error('thrown during the call');
    await expect(
      gather([
        rejected,
        () => {
          throw thrown;
        },
      ]),
    ).rejects.toBe(thrown);
  });

  it('absorbs siblings that reject with the abort reason', async () => {
    const failure = new Error('first');
    const failing = deferred();
    const abortable = (signal: AbortSignal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    const call = gather([abortable, abortable, () => failing.promise]);
    failing.reject(failure);
    await expect(call).rejects.toBe(failure);
    await flushMicrotasks();
  });

  it('absorbs siblings that fail on their own after the first failure', async () => {
    const failure = new Error('first');
    const later = deferred();
    const laterPromise = deferred();
    const call = gather([() => Promise.reject(failure), () => later.promise, laterPromise.promise]);
    await expect(call).rejects.toBe(failure);
    later.reject(new Error('late'));
    laterPromise.reject(new Error('late promise'));
    await flushMicrotasks();
  });

  it('keeps undefined as the first failure when a sibling fails later with a value', async () => {
    const later = deferred();
    const call = observe(gather([() => Promise.reject(undefined), () => later.promise]));
    await flushMicrotasks();
    later.reject(new Error('later'));
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: undefined });
  });
});

describe('gather 9. a cycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never settles on its own when a task resolves to the call’s own promise, like Promise.all', async () => {
    const loop = deferred<unknown>();
    const call = gather([() => loop.promise, 'other']);
    loop.resolve(call);
    const observed = observe(call);
    const reference = deferred<unknown>();
    const all = Promise.all([reference.promise]);
    reference.resolve(all);
    const observedAll = observe(all);
    await flushMicrotasks();
    expect(observedAll.state.status).toBe('pending');
    expect(observed.state.status).toBe('pending');
  });

  it('settles through the caller’s signal when a task resolves to the call’s own promise', async () => {
    const controller = new AbortController();
    const loop = deferred<unknown>();
    const call = gather([loop.promise], { signal: controller.signal });
    loop.resolve(call);
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('settles through the deadline when a task resolves to the call’s own promise', async () => {
    vi.useFakeTimers();
    const loop = deferred<unknown>();
    const promise = gather([() => loop.promise], { timeout: 100 });
    loop.resolve(promise);
    const call = observe(promise);
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state.status).toBe('rejected');
    expect(call.state.status === 'rejected' && call.state.reason).toMatchObject({
      name: 'TimeoutError',
    });
  });
});
