/**
 * SPEC › Bad input and › Words, over odd values: every value below, as `tasks` or
 * as an option of `gather` and `gatherSettled` (or of `isolate`), gets either the
 * result SPEC *Words* defines, or a rejection — the right error class, a message
 * that names the argument and says what was received — or, where reading the value
 * itself throws (a getter, a Proxy trap, a revoked Proxy), that very error. Never a
 * synchronous throw from `gather` / `gatherSettled`, and no task function called
 * when the call rejects for its arguments.
 *
 * test/bad-input.test.ts covers the plain wrong types (numbers, strings, null…) and
 * the order of the checks; this file covers the odd values.
 */
import { getEventListeners } from 'node:events';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, type Mock, vi } from 'vitest';
import { gather, gatherSettled, isolate } from '../src/index';
import { deferred, never } from './support/deferred';
import { fakeSignal } from './support/fixtures';

type Untyped = (tasks: unknown, options?: unknown) => Promise<unknown>;
type UntypedIsolate = (
  task: unknown,
  options?: unknown,
) => (signal?: AbortSignal) => Promise<unknown>;

/** Untyped access, for arguments the public types rightly refuse. */
const gatherAny = gather as unknown as Untyped;
const gatherSettledAny = gatherSettled as unknown as Untyped;
const calls: Array<[name: 'gather' | 'gatherSettled', call: Untyped]> = [
  ['gather', gatherAny],
  ['gatherSettled', gatherSettledAny],
];
const isolateAny = isolate as unknown as UntypedIsolate;

type Task = Mock<(signal?: AbortSignal) => string>;

function taskFunction(): Task {
  return vi.fn((_signal?: AbortSignal) => 'ran');
}

/** Calls `call`, failing the test if it throws synchronously or returns no promise. */
function start(call: Untyped, tasks: unknown, options?: unknown): Promise<unknown> {
  let result: unknown;
  expect(() => {
    result = call(tasks, options);
  }).not.toThrow();
  expect(result).toBeInstanceOf(Promise);
  return result as Promise<unknown>;
}

/** What `gatherSettled` resolves with where `gather` resolves with `values`. */
function fulfilledSlots(values: unknown): unknown {
  const slot = (value: unknown) => ({ status: 'fulfilled', value });
  if (Array.isArray(values)) return values.map(slot);
  if (values instanceof Map) return new Map([...values].map(([key, value]) => [key, slot(value)]));
  const slots: Record<PropertyKey, unknown> = Object.create(null);
  for (const key of Reflect.ownKeys(values as object)) {
    slots[key] = slot((values as Record<PropertyKey, unknown>)[key]);
  }
  return slots;
}

function revokedProxy<T extends object>(target: T): T {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

function abortListeners(signal: AbortSignal): number {
  return getEventListeners(signal, 'abort').length;
}

class OddThing {
  readonly kind = 'odd';
}

function oddFunction(fn: () => unknown): unknown {
  return fn();
}

// ---------------------------------------------------------------------------------
// Odd values as an option (and as the options argument itself)
// ---------------------------------------------------------------------------------

type Position = 'options' | 'signal' | 'limit' | 'concurrency' | 'timeout' | 'waitForCleanup';
const positions: readonly Position[] = [
  'options',
  'signal',
  'limit',
  'concurrency',
  'timeout',
  'waitForCleanup',
];

interface OddValue {
  /** What the value is, for the test's name. */
  readonly name: string;
  /** A fresh value for each test. */
  readonly make: () => unknown;
  /** How an error message must describe the value it received. */
  readonly described: RegExp;
  /** Where the value is valid: the call runs and fulfils. */
  readonly acceptedAs?: readonly Position[];
  /** Where reading the value throws, and the call rejects with that very error. */
  readonly readThrowsAs?: readonly Position[];
  /** Where the value is covered by a test of its own below. */
  readonly elsewhere?: readonly Position[];
}

const oddValues: readonly OddValue[] = [
  { name: 'a symbol', make: () => Symbol('odd'), described: /Symbol\(odd\) \(symbol\)/ },
  { name: 'a bigint', make: () => 10n, described: /10 \(bigint\)/ },
  {
    name: 'a named function',
    make: () => oddFunction,
    described: /a function named oddFunction/,
    // A function of p-limit's shape: a valid limiter.
    acceptedAs: ['limit'],
  },
  {
    name: 'a class instance',
    make: () => new OddThing(),
    described: /an instance of OddThing/,
    acceptedAs: ['options'],
  },
  {
    name: 'a Date',
    make: () => new Date(0),
    described: /an instance of Date/,
    acceptedAs: ['options'],
  },
  {
    name: 'a RegExp',
    make: () => /odd/,
    described: /an instance of RegExp/,
    acceptedAs: ['options'],
  },
  {
    name: 'a promise',
    make: () => Promise.resolve(5),
    described: /an instance of Promise/,
    acceptedAs: ['options'],
  },
  {
    name: 'a boxed number',
    make: () => new Number(5),
    described: /an instance of Number/,
    acceptedAs: ['options'],
  },
  {
    name: 'a boxed boolean',
    make: () => new Boolean(true),
    described: /an instance of Boolean/,
    acceptedAs: ['options'],
  },
  {
    name: 'a null-prototype object',
    make: () => Object.create(null),
    described: /an object with a null prototype/,
    acceptedAs: ['options'],
  },
  {
    name: 'an object from another realm',
    make: () => runInNewContext('({})'),
    described: /got an object/,
    acceptedAs: ['options'],
  },
  {
    name: 'a revoked Proxy of an object',
    make: () => revokedProxy({}),
    described: /a value that cannot be inspected \(object\)/,
    readThrowsAs: ['options', 'signal'],
  },
  {
    name: 'a revoked Proxy of a function',
    make: () => revokedProxy(() => {}),
    described: /a value that cannot be inspected \(function\)/,
    readThrowsAs: ['signal'],
    elsewhere: ['limit'],
  },
];

function optionsWith(position: Position, value: unknown): unknown {
  return position === 'options' ? value : { [position]: value };
}

describe.each(calls)('Bad input matrix: odd values as options of %s', (name, call) => {
  const expectedFulfilment = name === 'gather' ? ['ran'] : fulfilledSlots(['ran']);

  for (const odd of oddValues) {
    for (const position of positions) {
      if (odd.elsewhere?.includes(position)) continue;

      if (odd.acceptedAs?.includes(position)) {
        it(`accepts ${odd.name} as \`${position}\` and runs the tasks`, async () => {
          const task = taskFunction();
          await expect(start(call, [task], optionsWith(position, odd.make()))).resolves.toEqual(
            expectedFulfilment,
          );
          expect(task).toHaveBeenCalledTimes(1);
        });
      } else if (odd.readThrowsAs?.includes(position)) {
        it(`rejects with the TypeError that reading ${odd.name} as \`${position}\` throws, starting nothing`, async () => {
          const task = taskFunction();
          const result = start(call, [task], optionsWith(position, odd.make()));
          await expect(result).rejects.toThrow(TypeError);
          await expect(result).rejects.toThrow(/revoked/);
          expect(task).not.toHaveBeenCalled();
        });
      } else {
        it(`rejects ${odd.name} as \`${position}\` with a TypeError naming \`${position}\` and what it got, starting nothing`, async () => {
          const task = taskFunction();
          const result = start(call, [task], optionsWith(position, odd.make()));
          await expect(result).rejects.toThrow(TypeError);
          await expect(result).rejects.toThrow(`\`${position}\``);
          await expect(result).rejects.toThrow(odd.described);
          expect(task).not.toHaveBeenCalled();
        });
      }
    }
  }

  it('rejects a `concurrency` just below 1 with a RangeError naming `concurrency`', async () => {
    const task = taskFunction();
    for (const options of [
      { concurrency: Number.MIN_VALUE },
      { concurrency: 1 - Number.EPSILON },
    ]) {
      const result = start(call, [task], options);
      await expect(result).rejects.toThrow(RangeError);
      await expect(result).rejects.toThrow(/`concurrency`/);
    }
    expect(task).not.toHaveBeenCalled();
  });

  it('accepts a huge integer `concurrency` and the largest number as `timeout`', async () => {
    const task = taskFunction();
    await expect(
      start(call, [task], { concurrency: Number.MAX_SAFE_INTEGER, timeout: Number.MAX_VALUE }),
    ).resolves.toEqual(expectedFulfilment);
  });
});

// ---------------------------------------------------------------------------------
// Odd values as `tasks`
// ---------------------------------------------------------------------------------

interface NotACollection {
  readonly name: string;
  /** Builds the value; where it can, it holds `task`, which must never be called. */
  readonly make: (task: Task) => unknown;
  readonly described: RegExp;
}

const notCollections: readonly NotACollection[] = [
  { name: 'a bigint', make: () => 10n, described: /10 \(bigint\)/ },
  {
    name: 'a named function (a task function, not a collection of them)',
    make: (task) => Object.assign(function oddTasks() {}, { task }),
    described: /a function named oddTasks/,
  },
  { name: 'a Date', make: () => new Date(0), described: /an instance of Date/ },
  { name: 'a RegExp', make: () => /tasks/, described: /an instance of RegExp/ },
  {
    name: 'a promise of an array of tasks',
    make: (task) => Promise.resolve([task]),
    described: /an instance of Promise/,
  },
  { name: 'a WeakMap', make: (task) => new WeakMap([[task, task]]), described: /WeakMap/ },
  { name: 'a WeakSet', make: (task) => new WeakSet([task]), described: /WeakSet/ },
  { name: 'an Error', make: () => new Error('tasks'), described: /an instance of Error/ },
  { name: 'a boxed number', make: () => new Number(2), described: /an instance of Number/ },
  {
    name: 'a class instance from another realm',
    make: (task) =>
      runInNewContext('new (class Foreign { constructor() { this.task = task; } })()', { task }),
    described: /an instance of Foreign/,
  },
];

interface Readable {
  readonly name: string;
  /** Builds the input around `task`, a task function that must run once. */
  readonly make: (task: Task) => unknown;
  /** What `gather` resolves with (`gatherSettled`: the same, as fulfilled slots). */
  readonly expected: unknown;
  readonly options?: unknown;
}

const symbolKey = Symbol('key');

const readables: readonly Readable[] = [
  {
    name: 'a sparse array: holes read as undefined, the output is dense',
    // biome-ignore lint/suspicious/noSparseArray: holes are what this case is about.
    make: (task) => [, task, , 3],
    expected: [undefined, 'ran', undefined, 3],
  },
  {
    name: 'a sparse array under a concurrency bound',
    // biome-ignore lint/suspicious/noSparseArray: holes are what this case is about.
    make: (task) => [, task, , 3],
    expected: [undefined, 'ran', undefined, 3],
    options: { concurrency: 1 },
  },
  {
    name: 'an array with a trailing hole',
    make: (task) => {
      const tasks: unknown[] = [task];
      tasks.length = 2;
      return tasks;
    },
    expected: ['ran', undefined],
  },
  {
    name: 'an array Proxy',
    make: (task) => new Proxy([task, 2], {}),
    expected: ['ran', 2],
  },
  {
    name: 'an array from another realm',
    make: (task) => runInNewContext('[task, 2]', { task }),
    expected: ['ran', 2],
  },
  {
    name: 'a frozen array',
    make: (task) => Object.freeze([task, 2]),
    expected: ['ran', 2],
  },
  {
    name: 'a frozen plain object',
    make: (task) => Object.freeze({ a: task, b: 2 }),
    expected: Object.assign(Object.create(null), { a: 'ran', b: 2 }),
  },
  {
    name: 'a frozen Map',
    make: (task) => Object.freeze(new Map([['a', task]])),
    expected: new Map([['a', 'ran']]),
  },
  {
    name: 'a null-prototype object',
    make: (task) => Object.assign(Object.create(null), { a: task }),
    expected: Object.assign(Object.create(null), { a: 'ran' }),
  },
  {
    name: 'an object with symbol keys: kept, after the string keys',
    make: (task) => ({ [symbolKey]: task, a: 1 }),
    expected: Object.assign(Object.create(null), { a: 1, [symbolKey]: 'ran' }),
  },
  {
    name: 'a Map with symbol keys',
    make: (task) => new Map<unknown, unknown>([[symbolKey, task]]),
    expected: new Map([[symbolKey, 'ran']]),
  },
  {
    name: 'a Map from another realm: a Map of this realm out',
    make: (task) => runInNewContext('new Map([[1, task], [2, 2]])', { task }),
    expected: new Map<number, unknown>([
      [1, 'ran'],
      [2, 2],
    ]),
  },
  {
    name: 'a plain object from another realm: keyed, null prototype out',
    make: (task) => runInNewContext('({ a: task, b: 2 })', { task }),
    expected: Object.assign(Object.create(null), { a: 'ran', b: 2 }),
  },
  {
    name: 'a null-prototype object from another realm',
    make: (task) => runInNewContext('Object.assign(Object.create(null), { a: task })', { task }),
    expected: Object.assign(Object.create(null), { a: 'ran' }),
  },
];

interface Positional {
  readonly name: string;
  readonly tasks: unknown;
  readonly expected: unknown[];
}

const strings: readonly Positional[] = [
  { name: 'a string: one slot per character', tasks: 'ab', expected: ['a', 'b'] },
  { name: 'an empty string: no slot', tasks: '', expected: [] },
  {
    name: 'a string with an astral character: one slot per code point',
    tasks: 'a😀',
    expected: ['a', '😀'],
  },
  { name: 'a String object', tasks: new String('ab'), expected: ['a', 'b'] },
];

describe.each(calls)('Bad input matrix: odd values as the tasks of %s', (name, call) => {
  const asResult = (values: unknown) => (name === 'gather' ? values : fulfilledSlots(values));

  for (const { name: what, make, described } of notCollections) {
    it(`rejects ${what} with a TypeError naming \`tasks\` and what it got, starting nothing`, async () => {
      const task = taskFunction();
      const result = start(call, make(task));
      await expect(result).rejects.toThrow(TypeError);
      await expect(result).rejects.toThrow(/`tasks`/);
      await expect(result).rejects.toThrow(described);
      expect(task).not.toHaveBeenCalled();
    });
  }

  it('rejects a revoked Proxy as `tasks` with the TypeError that reading it throws', async () => {
    const result = start(call, revokedProxy([taskFunction()]));
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/revoked/);
  });

  for (const { name: what, make, expected, options } of readables) {
    it(`reads ${what}`, async () => {
      const task = taskFunction();
      const result = await start(call, make(task), options);
      expect(result).toEqual(asResult(expected));
      if (Array.isArray(expected)) {
        expect(Object.keys(result as unknown[])).toHaveLength(expected.length);
      } else if (expected instanceof Map) {
        expect(result).toBeInstanceOf(Map);
        expect([...(result as Map<unknown, unknown>).keys()]).toEqual([...expected.keys()]);
      } else {
        expect(Object.getPrototypeOf(result)).toBeNull();
        expect(Reflect.ownKeys(result as object)).toEqual(Reflect.ownKeys(expected as object));
      }
      expect(task).toHaveBeenCalledTimes(1);
    });
  }

  for (const { name: what, tasks, expected } of strings) {
    it(`reads ${what}`, async () => {
      await expect(start(call, tasks)).resolves.toEqual(asResult(expected));
    });
  }

  it('reads each element of an array Proxy once, in input order', async () => {
    const reads: string[] = [];
    const tasks = new Proxy([taskFunction(), 2, 3], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.push(key);
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(start(call, tasks)).resolves.toEqual(asResult(['ran', 2, 3]));
    expect(reads).toEqual(['0', '1', '2']);
  });
});

// ---------------------------------------------------------------------------------
// Reads that throw: getters, Proxy traps, iterators
// ---------------------------------------------------------------------------------

interface ThrowingRead {
  readonly name: string;
  /** Builds `[tasks, options]` around `task` (never to be called) and `error`. */
  readonly make: (task: Task, error: Error) => [tasks: unknown, options: unknown];
}

function throwingGetter(error: Error): () => never {
  return () => {
    throw error;
  };
}

const throwingReads: readonly ThrowingRead[] = [
  {
    name: 'a getter of the tasks object, after a task function',
    make: (task, error) => [
      Object.defineProperty({ a: task }, 'b', { get: throwingGetter(error), enumerable: true }),
      undefined,
    ],
  },
  {
    name: 'the get trap of an array Proxy, at its second element',
    make: (task, error) => [
      new Proxy([task, task], {
        get(target, key, receiver) {
          if (key === '1') throw error;
          return Reflect.get(target, key, receiver);
        },
      }),
      undefined,
    ],
  },
  {
    name: 'the ownKeys trap of a keyed Proxy',
    make: (task, error) => [
      new Proxy(
        { a: task },
        {
          ownKeys() {
            throw error;
          },
        },
      ),
      undefined,
    ],
  },
  {
    name: 'an iterator, at its second step',
    make: (task, error) => [
      (function* tasks() {
        yield task;
        throw error;
      })(),
      undefined,
    ],
  },
  ...(['signal', 'limit', 'concurrency', 'timeout', 'waitForCleanup'] as const).map(
    (key): ThrowingRead => ({
      name: `a getter of \`${key}\` on the options`,
      make: (task, error) => [
        [task],
        Object.defineProperty({}, key, { get: throwingGetter(error) }),
      ],
    }),
  ),
  {
    name: 'the get trap of an options Proxy',
    make: (task, error) => [
      [task],
      new Proxy(
        {},
        {
          get() {
            throw error;
          },
        },
      ),
    ],
  },
  {
    name: 'a getter of `aborted` on a signal-like object',
    make: (task, error) => [
      [task],
      {
        signal: {
          get aborted(): boolean {
            throw error;
          },
          addEventListener() {},
          removeEventListener() {},
        },
      },
    ],
  },
  {
    name: 'a getter of `aborted` that throws only when the call links to the signal',
    make: (task, error) => {
      let reads = 0;
      const signal = {
        get aborted(): boolean {
          reads++;
          if (reads > 1) throw error;
          return false;
        },
        addEventListener() {},
        removeEventListener() {},
      };
      return [[task], { signal }];
    },
  },
  {
    name: 'a getter of `reason` on an already-aborted signal-like object',
    make: (task, error) => [
      [task],
      {
        signal: {
          aborted: true,
          get reason(): unknown {
            throw error;
          },
          addEventListener() {},
          removeEventListener() {},
        },
      },
    ],
  },
  {
    name: 'the addEventListener of a signal-like object',
    make: (task, error) => [
      [task],
      {
        signal: {
          aborted: false,
          addEventListener() {
            throw error;
          },
          removeEventListener() {},
        },
      },
    ],
  },
];

describe.each(calls)('Bad input matrix: reading tasks and options, in %s', (_name, call) => {
  for (const { name: what, make } of throwingReads) {
    it(`rejects with the very error thrown by ${what}, starting nothing`, async () => {
      const task = taskFunction();
      const error = new Error('read failed');
      const [tasks, options] = make(task, error);
      await expect(start(call, tasks, options)).rejects.toBe(error);
      expect(task).not.toHaveBeenCalled();
    });
  }

  it('reads each option once, in the order SPEC › Bad input checks them', async () => {
    const reads: PropertyKey[] = [];
    const options = new Proxy(
      { timeout: 1_000 },
      {
        get(target, key, receiver) {
          reads.push(key);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    await start(call, [taskFunction()], options);
    expect(reads).toEqual(['signal', 'limit', 'concurrency', 'timeout', 'waitForCleanup']);
  });

  it('accepts frozen options holding a frozen signal-like object', async () => {
    const signal = Object.freeze({
      aborted: false,
      addEventListener() {},
      removeEventListener() {},
    });
    const task = taskFunction();
    await start(call, [task], Object.freeze({ signal, timeout: 1_000, concurrency: 1 }));
    expect(task).toHaveBeenCalledTimes(1);
  });
});

// ---------------------------------------------------------------------------------
// Revoked proxies inside the input and as a limiter
// ---------------------------------------------------------------------------------

describe('Bad input matrix: revoked proxies as tasks and as `limit`', () => {
  it('gather rejects with the TypeError of reading `then` from a revoked Proxy task, and aborts its siblings', async () => {
    let sibling: AbortSignal | undefined;
    const result = gather([
      (signal: AbortSignal) => {
        sibling = signal;
        return never();
      },
      revokedProxy({}),
    ]);
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/revoked/);
    expect(sibling?.aborted).toBe(true);
  });

  it('gather rejects with the TypeError of calling a revoked Proxy of a function, a task function that throws', async () => {
    const later = taskFunction();
    const result = gather([revokedProxy(() => 'never'), later]);
    await expect(result).rejects.toThrow(/revoked/);
    expect(later).not.toHaveBeenCalled();
  });

  it('gatherSettled reads a revoked Proxy task as a rejected slot and keeps the others', async () => {
    const result = await gatherSettled([revokedProxy({}), revokedProxy(() => 'never'), () => 'ok']);
    expect(result[0]).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(result[1]).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(result[2]).toEqual({ status: 'fulfilled', value: 'ok' });
  });

  it('gather fails the task, and rejects, with the TypeError of calling a revoked Proxy as `limit`', async () => {
    const task = taskFunction();
    const result = gatherAny([task], { limit: revokedProxy(oddFunction) });
    await expect(result).rejects.toThrow(TypeError);
    await expect(result).rejects.toThrow(/revoked/);
    expect(task).not.toHaveBeenCalled();
  });

  it('gatherSettled reads the slot of a task a revoked Proxy `limit` refused as rejected', async () => {
    const task = taskFunction();
    const result = (await gatherSettledAny([task], { limit: revokedProxy(oddFunction) })) as [
      PromiseSettledResult<string>,
    ];
    expect(result[0]).toMatchObject({ status: 'rejected', reason: expect.any(TypeError) });
    expect(task).not.toHaveBeenCalled();
  });
});

// ---------------------------------------------------------------------------------
// Signals that are not AbortSignals
// ---------------------------------------------------------------------------------

/** A signal polyfill whose members live on its prototype, as a class-based one has them. */
class PolyfillSignal {
  #aborted = false;
  #reason: unknown;
  readonly #listeners = new Set<() => void>();
  get aborted(): boolean {
    return this.#aborted;
  }
  get reason(): unknown {
    return this.#reason;
  }
  addEventListener(type: string, listener: () => void): void {
    if (type === 'abort') this.#listeners.add(listener);
  }
  removeEventListener(type: string, listener: () => void): void {
    if (type === 'abort') this.#listeners.delete(listener);
  }
  get listenerCount(): number {
    return this.#listeners.size;
  }
  abort(reason: unknown): void {
    this.#aborted = true;
    this.#reason = reason;
    for (const listener of [...this.#listeners]) listener();
  }
}

describe.each(calls)('Bad input matrix: signals that are not AbortSignals, in %s', (name, call) => {
  it('follows a jsdom-style signal that aborts while tasks run, starting no queued task', async () => {
    const signal = fakeSignal();
    const reason = new Error('caller gave up');
    let taskSignal: AbortSignal | undefined;
    const queued = taskFunction();
    const result = start(
      call,
      [
        (own: AbortSignal) => {
          taskSignal = own;
          return never();
        },
        queued,
      ],
      { signal, concurrency: 1 },
    );
    expect(signal.listeners.size).toBe(1);
    signal.abort(reason);
    if (name === 'gather') await expect(result).rejects.toBe(reason);
    else
      await expect(result).resolves.toEqual([
        { status: 'rejected', reason },
        { status: 'rejected', reason },
      ]);
    expect(taskSignal).toBeInstanceOf(AbortSignal);
    expect(taskSignal?.reason).toBe(reason);
    expect(queued).not.toHaveBeenCalled();
    expect(signal.listeners.size).toBe(0);
  });

  it('follows a jsdom-style signal that aborts with the reason undefined', async () => {
    const signal = fakeSignal();
    const gate = deferred<string>();
    const result = start(call, [() => gate.promise], { signal });
    signal.abort(undefined);
    if (name === 'gather') await expect(result).rejects.toBeUndefined();
    else await expect(result).resolves.toEqual([{ status: 'rejected', reason: undefined }]);
    gate.resolve('late');
  });

  it('starts nothing for an already-aborted jsdom-style signal and adds no listener', async () => {
    const signal = fakeSignal();
    signal.aborted = true;
    signal.reason = 'stopped';
    const task = taskFunction();
    const result = start(call, [task, 2], { signal });
    if (name === 'gather') await expect(result).rejects.toBe('stopped');
    else
      await expect(result).resolves.toEqual([
        { status: 'rejected', reason: 'stopped' },
        { status: 'rejected', reason: 'stopped' },
      ]);
    expect(task).not.toHaveBeenCalled();
    expect(signal.addEventListener).not.toHaveBeenCalled();
  });

  it('accepts a class-based polyfill whose members are inherited, and leaves no listener', async () => {
    const signal = new PolyfillSignal();
    const gate = deferred<string>();
    const result = start(call, [() => gate.promise], { signal });
    expect(signal.listenerCount).toBe(1);
    gate.resolve('done');
    await expect(result).resolves.toEqual(name === 'gather' ? ['done'] : fulfilledSlots(['done']));
    expect(signal.listenerCount).toBe(0);
  });

  it('follows a class-based polyfill that aborts', async () => {
    const signal = new PolyfillSignal();
    const result = start(call, [() => never()], { signal });
    signal.abort('polyfill stop');
    if (name === 'gather') await expect(result).rejects.toBe('polyfill stop');
    else await expect(result).resolves.toEqual([{ status: 'rejected', reason: 'polyfill stop' }]);
  });

  it('accepts an already-aborted signal-like object from another realm', async () => {
    const signal: unknown = runInNewContext(
      '({ aborted: true, reason: "foreign", addEventListener() {}, removeEventListener() {} })',
    );
    const task = taskFunction();
    const result = start(call, [task], { signal });
    if (name === 'gather') await expect(result).rejects.toBe('foreign');
    else await expect(result).resolves.toEqual([{ status: 'rejected', reason: 'foreign' }]);
    expect(task).not.toHaveBeenCalled();
  });

  it('accepts a Proxy of an AbortSignal and follows its abort, leaving no listener', async () => {
    const controller = new AbortController();
    const result = start(call, [() => never()], { signal: new Proxy(controller.signal, {}) });
    controller.abort('through the proxy');
    if (name === 'gather') await expect(result).rejects.toBe('through the proxy');
    else
      await expect(result).resolves.toEqual([{ status: 'rejected', reason: 'through the proxy' }]);
    expect(abortListeners(controller.signal)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------
// isolate: odd values as its options and as onError; odd tasks
// ---------------------------------------------------------------------------------

interface IsolateOption {
  readonly name: string;
  readonly make: () => unknown;
  readonly described: RegExp;
}

const notOptionsObjects: readonly IsolateOption[] = [
  { name: 'a symbol', make: () => Symbol('odd'), described: /Symbol\(odd\) \(symbol\)/ },
  { name: 'a bigint', make: () => 10n, described: /10 \(bigint\)/ },
  { name: 'a named function', make: () => oddFunction, described: /a function named oddFunction/ },
  {
    name: 'a revoked Proxy of a function',
    make: () => revokedProxy(() => {}),
    described: /cannot be inspected \(function\)/,
  },
];

const optionsObjects: ReadonlyArray<[name: string, make: () => unknown]> = [
  ['a class instance', () => new OddThing()],
  ['a Date', () => new Date(0)],
  ['a promise', () => Promise.resolve({ fallback: 'not read through' })],
  ['a null-prototype object', () => Object.create(null)],
  ['an object from another realm', () => runInNewContext('({})')],
  ['a frozen empty object', () => Object.freeze({})],
];

const notFunctions: readonly IsolateOption[] = [
  { name: 'a symbol', make: () => Symbol('odd'), described: /Symbol\(odd\) \(symbol\)/ },
  { name: 'a bigint', make: () => 10n, described: /10 \(bigint\)/ },
  { name: 'a Date', make: () => new Date(0), described: /an instance of Date/ },
  { name: 'a class instance', make: () => new OddThing(), described: /an instance of OddThing/ },
  { name: 'a promise', make: () => Promise.resolve(() => {}), described: /an instance of Promise/ },
  {
    name: 'a null-prototype object',
    make: () => Object.create(null),
    described: /an object with a null prototype/,
  },
  {
    name: 'a revoked Proxy of an object',
    make: () => revokedProxy({}),
    described: /cannot be inspected \(object\)/,
  },
];

describe('Bad input matrix: odd values as options of isolate', () => {
  for (const { name: what, make, described } of notOptionsObjects) {
    it(`throws at once a TypeError naming \`options\` and what it got for ${what}`, () => {
      const task = taskFunction();
      const options = make();
      expect(() => isolateAny(task, options)).toThrow(TypeError);
      expect(() => isolateAny(task, options)).toThrow(/`options`/);
      expect(() => isolateAny(task, options)).toThrow(described);
      expect(task).not.toHaveBeenCalled();
    });
  }

  it('throws at once the TypeError that reading a revoked Proxy of an object as options throws', () => {
    const task = taskFunction();
    expect(() => isolateAny(task, revokedProxy({}))).toThrow(/revoked/);
    expect(task).not.toHaveBeenCalled();
  });

  it.each(optionsObjects)(
    'accepts %s as options: a failure resolves with the default fallback',
    async (_name, make) => {
      const isolated = isolateAny(() => Promise.reject(new Error('contained')), make());
      await expect(isolated()).resolves.toBeUndefined();
    },
  );

  for (const { name: what, make, described } of notFunctions) {
    it(`throws at once a TypeError naming \`onError\` and what it got for ${what}`, () => {
      const task = taskFunction();
      const options = { onError: make() };
      expect(() => isolateAny(task, options)).toThrow(TypeError);
      expect(() => isolateAny(task, options)).toThrow(/`onError`/);
      expect(() => isolateAny(task, options)).toThrow(described);
      expect(task).not.toHaveBeenCalled();
    });
  }

  it('throws at once the very error of a throwing `onError` getter, calling nothing', () => {
    const task = taskFunction();
    const error = new Error('getter');
    const options = Object.defineProperty({}, 'onError', { get: throwingGetter(error) });
    expect(() => isolateAny(task, options)).toThrow(error);
    expect(task).not.toHaveBeenCalled();
  });

  it('accepts a revoked Proxy of a function as onError, and rejects with the TypeError calling it throws', async () => {
    const isolated = isolateAny(() => Promise.reject(new Error('failure')), {
      onError: revokedProxy(() => {}),
      fallback: 'unused',
    });
    await expect(isolated()).rejects.toThrow(/revoked/);
  });

  it('accepts options behind a Proxy', async () => {
    const onError = vi.fn();
    const options = new Proxy({ onError, fallback: 'fallback' }, {});
    const failure = new Error('failure');
    await expect(isolateAny(() => Promise.reject(failure), options)()).resolves.toBe('fallback');
    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('resolves with a symbol given as the task, a value', async () => {
    const value = Symbol('value');
    await expect(isolateAny(value)()).resolves.toBe(value);
  });

  it('contains the TypeError of a revoked Proxy given as the task, whose `then` cannot be read', async () => {
    const onError = vi.fn();
    await expect(isolateAny(revokedProxy({}), { onError, fallback: 'fallback' })()).resolves.toBe(
      'fallback',
    );
    expect(onError).toHaveBeenCalledWith(expect.any(TypeError));
  });
});
