/**
 * Nothing p-gather fills is written through a prototype: results, outcome lists,
 * queues, buffers and free lists hold their entries as own data properties, as
 * `Promise.all` writes with CreateDataProperty. An accessor on `Array.prototype[0]`
 * (or on `Object.prototype`) must neither see nor change a call.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import {
  asCompleted,
  first,
  gather,
  gatherSettled,
  isolate,
  map,
  mapIterable,
  mapSettled,
  TaskGroup,
} from '../src/index';

const TRAPPED_INDICES = 8;

interface Trap {
  /** Every use of a trapped accessor, as `'get Array.prototype[0]'`. */
  readonly uses: string[];
  remove(): void;
}

/**
 * Accessors on the first indices of `Array.prototype` and `Object.prototype`:
 * a read returns `'x'` and a write throws, and each use is recorded — what the
 * issue's reproduction found (`['x', Promise]`, a call that never settles, a
 * setter's error as the rejection).
 */
function trapPrototypeIndices(): Trap {
  const uses: string[] = [];
  // Recorded with own properties too, or the record would trip the trap itself.
  const record = (use: string) =>
    Object.defineProperty(uses, uses.length, {
      value: use,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  const owners = [
    ['Array.prototype', Array.prototype],
    ['Object.prototype', Object.prototype],
  ] as const;
  for (const [name, owner] of owners) {
    for (let index = 0; index < TRAPPED_INDICES; index++) {
      Object.defineProperty(owner, index, {
        configurable: true,
        get() {
          record(`get ${name}[${index}]`);
          return 'x';
        },
        set() {
          record(`set ${name}[${index}]`);
          throw new Error(`set ${name}[${index}]`);
        },
      });
    }
  }
  return {
    uses,
    remove() {
      for (const [, owner] of owners) {
        for (let index = 0; index < TRAPPED_INDICES; index++) {
          delete (owner as unknown as Record<number, unknown>)[index];
        }
      }
    },
  };
}

/** Runs `call` with the prototypes trapped, and removes the traps before anything is asserted. */
async function whileTrapped<T>(call: () => Promise<T>): Promise<{ result: T; uses: string[] }> {
  const trap = trapPrototypeIndices();
  const result = await withoutStackTraces(call).finally(() => trap.remove());
  return { result, uses: trap.uses };
}

/**
 * Runs `call` with no stack frames captured: an error built while a trap is in
 * place (an `"AbortError"`) would otherwise have its stack mapped through the
 * runner's source maps, whose code pushes onto arrays — the runner's own writes,
 * not the library's.
 */
async function withoutStackTraces<T>(call: () => Promise<T>): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await call();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Runs `call` with `descriptor` on `Array.prototype[0]`, removed before anything is asserted. */
async function withArrayIndexZero<T>(
  descriptor: PropertyDescriptor,
  call: () => Promise<T>,
): Promise<T> {
  Object.defineProperty(Array.prototype, 0, { configurable: true, ...descriptor });
  try {
    return await withoutStackTraces(call);
  } finally {
    delete (Array.prototype as unknown as Record<number, unknown>)[0];
  }
}

async function settledOutcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { fulfilled: await promise };
  } catch (reason) {
    return { rejected: reason };
  }
}

const slow = <T>(value: T) => Promise.resolve().then(() => value);
const failing = (reason: unknown) => Promise.resolve().then(() => Promise.reject(reason));

describe('the reproduction from the issue: an accessor on Array.prototype[0]', () => {
  const readsX = { get: () => 'x', set() {} };

  it('gather of two async task functions resolves [1, 2], as Promise.all does', async () => {
    const result = await withArrayIndexZero(readsX, () => gather([async () => 1, async () => 2]));
    expect(result).toEqual([1, 2]);
  });

  it('gatherSettled([42]) settles with its outcome', async () => {
    const result = await withArrayIndexZero(readsX, () => gatherSettled([42]));
    expect(result).toEqual([{ status: 'fulfilled', value: 42 }]);
  });

  it('a throwing setter does not reject gather([42])', async () => {
    const throwing = {
      get: () => 'x',
      set() {
        throw new Error('setter');
      },
    };
    const result = await withArrayIndexZero(throwing, () => settledOutcome(gather([42])));
    expect(result).toEqual({ fulfilled: [42] });
  });
});

describe('every public function writes only own properties', () => {
  const cases: [string, () => Promise<unknown>, unknown][] = [
    ['gather: async task functions', () => gather([() => slow(1), () => slow(2)]), [1, 2]],
    [
      'gather: synchronous task functions and values',
      () => gather([() => 1, 2, () => 3]),
      [1, 2, 3],
    ],
    [
      'gather: promises after plain values (a partial batch)',
      () => gather([1, slow(2), () => slow(3), 4]),
      [1, 2, 3, 4],
    ],
    ['gather: a Set', () => gather(new Set([() => slow('a'), () => 'b'])), ['a', 'b']],
    [
      'gather: a generator',
      () =>
        gather(
          (function* () {
            yield () => slow(1);
            yield 2;
          })(),
        ),
      [1, 2],
    ],
    ['gather: a Map', () => gather(new Map([['a', () => slow(1)]])), new Map([['a', 1]])],
    [
      'gather: a plain object',
      () => settledOutcome(gather({ a: () => slow(1), b: 2 }).then((r) => ({ ...r }))),
      { fulfilled: { a: 1, b: 2 } },
    ],
    [
      'gather: concurrency 1',
      () => gather([() => slow(1), () => slow(2), () => 3, () => slow(4)], { concurrency: 1 }),
      [1, 2, 3, 4],
    ],
    [
      'gather: a shared limit',
      () => gather([() => slow(1), () => slow(2), () => slow(3)], { limit: pLimit(1) }),
      [1, 2, 3],
    ],
    [
      'gather: a failure with waitForCleanup',
      () =>
        settledOutcome(
          gather([() => slow(1), () => failing('no'), slow(3)], { waitForCleanup: true }),
        ),
      { rejected: 'no' },
    ],
    [
      'gatherSettled: values, successes and failures',
      () => gatherSettled([42, () => slow(1), () => failing('no')]),
      [
        { status: 'fulfilled', value: 42 },
        { status: 'fulfilled', value: 1 },
        { status: 'rejected', reason: 'no' },
      ],
    ],
    [
      'gatherSettled: concurrency 1',
      () => gatherSettled([() => slow(1), () => slow(2)], { concurrency: 1 }),
      [
        { status: 'fulfilled', value: 1 },
        { status: 'fulfilled', value: 2 },
      ],
    ],
    [
      'first: every task fails (the AggregateError lists each reason)',
      () =>
        first([() => failing('a'), () => failing('b')]).catch((error: AggregateError) => [
          ...error.errors,
        ]),
      ['a', 'b'],
    ],
    ['first: a winner', () => first([() => slow('slow'), () => 'fast']), 'fast'],
    [
      'asCompleted: entries buffered and entries waited for',
      async () => {
        const iterator = asCompleted([() => 'a', () => slow('b'), () => slow('c')]);
        const waiting = [iterator.next(), iterator.next(), iterator.next(), iterator.next()];
        // Written by `map`, not `push`: the test's own writes must not trip the traps.
        return (await Promise.all(waiting)).map((step) => (step.done ? 'done' : step.value.key));
      },
      [0, 1, 2, 'done'],
    ],
    [
      'TaskGroup: spawns at once, queued, and slots reused',
      async () => {
        const group = new TaskGroup({ concurrency: 1 });
        const spawned = [
          group.spawn(() => slow(1)),
          group.spawn(() => slow(2)),
          group.spawn(() => 3),
        ];
        await group.join();
        const values = await Promise.all(spawned);
        const again = new TaskGroup();
        const fourth = again.spawn(() => slow(4));
        await fourth;
        const rest = [again.spawn(() => slow(5)), again.spawn(() => 6)];
        await again.join();
        return [...values, await fourth, ...(await Promise.all(rest))];
      },
      [1, 2, 3, 4, 5, 6],
    ],
    [
      'map: an array at concurrency 2 (the first stream of the module included)',
      () => map([1, 2, 3], (item) => slow(item * 10), { concurrency: 2 }),
      [10, 20, 30],
    ],
    [
      'mapSettled: values and failures',
      () => mapSettled([1, 2], (item) => (item === 2 ? failing('no') : item)),
      [
        { status: 'fulfilled', value: 1 },
        { status: 'rejected', reason: 'no' },
      ],
    ],
    [
      'mapIterable: completion order, results waited for and buffered',
      async () => {
        const iterator = mapIterable([1, 2, 3], (item) => slow(item), { order: 'completion' });
        const waiting = [iterator.next(), iterator.next(), iterator.next(), iterator.next()];
        return (await Promise.all(waiting)).map((step) => (step.done ? 'done' : step.value));
      },
      [1, 2, 3, 'done'],
    ],
    [
      'isolate inside gather',
      () => gather([isolate(() => failing('no'), { fallback: 'fallback' }), () => slow(1)]),
      ['fallback', 1],
    ],
  ];

  it.each(cases)('%s', async (_name, call, expected) => {
    const { result, uses } = await whileTrapped(call);
    expect(uses).toEqual([]);
    expect(result).toEqual(expected);
  });
});
