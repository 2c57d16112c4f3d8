import pLimit from 'p-limit';
import { describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled, isolate } from '../src/index';

type Untyped = (tasks: unknown, options?: unknown) => Promise<unknown>;

/** Untyped access, for arguments the public types rightly refuse. */
const calls: Array<[string, Untyped]> = [
  ['gather', gather as unknown as Untyped],
  ['gatherSettled', gatherSettled as unknown as Untyped],
];

const noop = () => {};
const limit = pLimit(2);
const signalLike = { aborted: false, addEventListener: noop, removeEventListener: noop };

type ErrorClass = typeof TypeError | typeof RangeError;
type Case = [name: string, tasks: unknown, options: unknown, error: ErrorClass, message: RegExp];

const badTasks: Case[] = [
  ['`tasks` is a number', 42, undefined, TypeError, /`tasks`/],
  ['`tasks` is null', null, undefined, TypeError, /`tasks`/],
  ['`tasks` is undefined', undefined, undefined, TypeError, /`tasks`/],
  ['`tasks` is a boolean', true, undefined, TypeError, /`tasks`/],
  ['`tasks` is a symbol', Symbol('tasks'), undefined, TypeError, /`tasks`/],
  ['`tasks` is a class instance', new (class Tasks {})(), undefined, TypeError, /`tasks`/],
  [
    '`tasks` is an async iterable',
    { [Symbol.asyncIterator]: noop },
    undefined,
    TypeError,
    /`tasks`[\s\S]*async|async[\s\S]*`tasks`/i,
  ],
];

const badOptions: Case[] = [
  ['`options` is a number', [], 42, TypeError, /`options`/],
  ['`options` is a string', [], 'fast', TypeError, /`options`/],
  ['`options` is a boolean', [], true, TypeError, /`options`/],
  ['`signal` is a number', [], { signal: 42 }, TypeError, /`signal`/],
  ['`signal` is a string', [], { signal: 'abort' }, TypeError, /`signal`/],
  ['`signal` is an empty object', [], { signal: {} }, TypeError, /`signal`/],
  [
    '`signal` has a non-boolean `aborted`',
    [],
    { signal: { ...signalLike, aborted: 'no' } },
    TypeError,
    /`signal`/,
  ],
  [
    '`signal` has no removeEventListener',
    [],
    { signal: { aborted: false, addEventListener: noop } },
    TypeError,
    /`signal`/,
  ],
  ['`signal` is an AbortController', [], { signal: new AbortController() }, TypeError, /`signal`/],
  ['`limit` is a number', [], { limit: 4 }, TypeError, /`limit`/],
  ['`limit` is an object', [], { limit: {} }, TypeError, /`limit`/],
  ['both `concurrency` and `limit`', [], { concurrency: 2, limit }, TypeError, /`limit`/],
  [
    'both `concurrency: Infinity` and `limit`',
    [],
    { concurrency: Number.POSITIVE_INFINITY, limit },
    TypeError,
    /`concurrency`/,
  ],
  ['`concurrency` is a string', [], { concurrency: '4' }, TypeError, /`concurrency`/],
  ['`concurrency` is null', [], { concurrency: null }, TypeError, /`concurrency`/],
  ['`concurrency` is 0', [], { concurrency: 0 }, RangeError, /`concurrency`/],
  ['`concurrency` is negative', [], { concurrency: -1 }, RangeError, /`concurrency`/],
  ['`concurrency` is not an integer', [], { concurrency: 1.5 }, RangeError, /`concurrency`/],
  ['`concurrency` is NaN', [], { concurrency: Number.NaN }, RangeError, /`concurrency`/],
  [
    '`concurrency` is -Infinity',
    [],
    { concurrency: Number.NEGATIVE_INFINITY },
    RangeError,
    /`concurrency`/,
  ],
  ['`timeout` is a string', [], { timeout: '100' }, TypeError, /`timeout`/],
  ['`timeout` is null', [], { timeout: null }, TypeError, /`timeout`/],
  ['`timeout` is negative', [], { timeout: -1 }, RangeError, /`timeout`/],
  ['`timeout` is NaN', [], { timeout: Number.NaN }, RangeError, /`timeout`/],
  ['`timeout` is -Infinity', [], { timeout: Number.NEGATIVE_INFINITY }, RangeError, /`timeout`/],
  ['`waitForCleanup` is a string', [], { waitForCleanup: 'yes' }, TypeError, /`waitForCleanup`/],
  ['`waitForCleanup` is a number', [], { waitForCleanup: 1 }, TypeError, /`waitForCleanup`/],
  ['`waitForCleanup` is null', [], { waitForCleanup: null }, TypeError, /`waitForCleanup`/],
];

const checkOrder: Case[] = [
  ['`options` before `tasks`', 42, 'fast', TypeError, /`options`/],
  ['a bad option before a bad `tasks`', 42, { timeout: -1 }, RangeError, /`timeout`/],
  ['`signal` before `limit`', [], { signal: 42, limit: 42 }, TypeError, /`signal`/],
  ['`signal` before `timeout`', [], { signal: 42, timeout: -1 }, TypeError, /`signal`/],
  ['`limit` before both limits', [], { limit: 42, concurrency: 2 }, TypeError, /`limit`/],
  ['both limits before `concurrency`', [], { limit, concurrency: 0 }, TypeError, /`limit`/],
  [
    '`concurrency` before `timeout`',
    [],
    { concurrency: 0, timeout: '1' },
    RangeError,
    /`concurrency`/,
  ],
  [
    '`timeout` before `waitForCleanup`',
    [],
    { timeout: -1, waitForCleanup: 'yes' },
    RangeError,
    /`timeout`/,
  ],
];

function abortedSignal(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error('already aborted'));
  return controller.signal;
}

describe.each(calls)('Bad input: %s', (_name, call) => {
  it.each([...badTasks, ...badOptions])(
    'rejects when %s',
    async (_case, tasks, options, ErrorClass, message) => {
      const result = call(tasks, options);
      await expect(result).rejects.toThrow(ErrorClass);
      await expect(result).rejects.toThrow(message);
    },
  );

  it('never throws synchronously for any bad argument', async () => {
    for (const [, tasks, options] of [...badTasks, ...badOptions, ...checkOrder]) {
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = call(tasks, options);
      }).not.toThrow();
      expect(result).toBeInstanceOf(Promise);
      await result?.catch(noop);
    }
  });

  it.each(checkOrder)('checks %s', async (_case, tasks, options, ErrorClass, message) => {
    const result = call(tasks, options);
    await expect(result).rejects.toThrow(ErrorClass);
    await expect(result).rejects.toThrow(message);
  });

  it('names only `signal` when `signal` and `limit` are both bad', async () => {
    const error: unknown = await call([], { signal: 42, limit: 42 }).catch((e: unknown) => e);
    expect(String((error as Error).message)).not.toMatch(/`limit`/);
  });

  it('names only `limit`, not `concurrency`, when `limit` is not a function and `concurrency` is set', async () => {
    const error: unknown = await call([], { limit: 42, concurrency: 2 }).catch((e: unknown) => e);
    expect(String((error as Error).message)).not.toMatch(/`concurrency`/);
  });

  it('names `options`, not `tasks`, when both are bad', async () => {
    const error: unknown = await call(42, 'fast').catch((e: unknown) => e);
    expect(String((error as Error).message)).not.toMatch(/`tasks`/);
  });

  it('names what it received', async () => {
    await expect(call(42)).rejects.toThrow(/42/);
    await expect(call([], { concurrency: 1.5 })).rejects.toThrow(/1\.5/);
    await expect(call([], { timeout: -7 })).rejects.toThrow(/-7/);
    await expect(call([], { waitForCleanup: 'maybe' })).rejects.toThrow(/maybe/);
  });

  it('lets a bad option win over an already-aborted signal', async () => {
    await expect(call([], { signal: abortedSignal(), timeout: -1 })).rejects.toThrow(RangeError);
  });

  it('lets a bad `tasks` win over an already-aborted signal', async () => {
    const result = call(42, { signal: abortedSignal() });
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/`tasks`/);
  });

  it('neither reads the input nor starts a task for a bad option', async () => {
    const task = vi.fn();
    const read = vi.fn();
    function* tasks() {
      read();
      yield task;
    }
    const getter = vi.fn(() => task);
    const keyed = {};
    Object.defineProperty(keyed, 'task', { get: getter, enumerable: true });
    const trap = vi.fn();
    const proxied = new Proxy([task], {
      get(target, key, receiver) {
        trap(key);
        return Reflect.get(target, key, receiver);
      },
      ownKeys(target) {
        trap('ownKeys');
        return Reflect.ownKeys(target);
      },
    });
    for (const [, , options] of badOptions) {
      await call(tasks(), options).catch(noop);
      await call(keyed, options).catch(noop);
      await call(proxied, options).catch(noop);
      await call([task], options).catch(noop);
    }
    expect(read).not.toHaveBeenCalled();
    expect(getter).not.toHaveBeenCalled();
    expect(trap).not.toHaveBeenCalled();
    expect(task).not.toHaveBeenCalled();
  });

  it('treats options that are undefined as absent', async () => {
    const options = {
      signal: undefined,
      limit: undefined,
      concurrency: undefined,
      timeout: undefined,
      waitForCleanup: undefined,
    };
    await expect(call([() => 1], options)).resolves.toBeDefined();
    await expect(call([() => 1], undefined)).resolves.toBeDefined();
  });

  it.each([
    ['`signal: null`', { signal: null }],
    ['an AbortSignal', { signal: new AbortController().signal }],
    ['a signal-like object', { signal: signalLike }],
    ['`concurrency: 1`', { concurrency: 1 }],
    ['`concurrency: Infinity`', { concurrency: Number.POSITIVE_INFINITY }],
    ['a `limit` with `concurrency: undefined`', { limit, concurrency: undefined }],
    ['`timeout: 0`', { timeout: 0 }],
    ['a fractional `timeout`', { timeout: 1.5 }],
    ['`timeout: Infinity`', { timeout: Number.POSITIVE_INFINITY }],
    ['`waitForCleanup: true`', { waitForCleanup: true }],
    ['`waitForCleanup: false`', { waitForCleanup: false }],
  ])('accepts %s', async (_case, options) => {
    await expect(call([() => 1], options)).resolves.toBeDefined();
  });
});

describe('Bad input: isolate', () => {
  it.each([
    ['a number', 42],
    ['a string', 'fallback'],
    ['a boolean', true],
  ])('throws a TypeError naming `options` at once when options is %s', (_case, options) => {
    const task = vi.fn();
    expect(() => isolate(task, options as never)).toThrow(TypeError);
    expect(() => isolate(task, options as never)).toThrow(/`options`/);
    expect(task).not.toHaveBeenCalled();
  });

  it.each([
    ['a string', 'log'],
    ['a number', 1],
    ['an object', {}],
    ['null', null],
  ])('throws a TypeError naming `onError` at once when onError is %s', (_case, onError) => {
    expect(() => isolate(noop, { onError } as never)).toThrow(TypeError);
    expect(() => isolate(noop, { onError } as never)).toThrow(/`onError`/);
  });

  it('accepts absent options and an undefined onError', () => {
    expect(() => isolate(noop)).not.toThrow();
    expect(() => isolate(noop, undefined)).not.toThrow();
    expect(() => isolate(noop, { onError: undefined })).not.toThrow();
    expect(() => isolate(noop, { fallback: null })).not.toThrow();
  });
});
