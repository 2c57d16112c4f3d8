/**
 * SPEC › Streams › `map`: a source read lazily, one `next()` at a time, mapped with
 * the call's signal, results in pull order; fail fast; the source closed on every
 * early end. Sources are driven step by step (test/support/controlled-source.ts).
 */
import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { map } from '../src/index';
import { controlledSource, countingEndless } from './support/controlled-source';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf } from './support/fixtures';

afterEach(() => {
  vi.useRealTimers();
});

async function* fromValues<T>(values: T[]): AsyncGenerator<T> {
  for (const value of values) yield value;
}

describe('map 1. results in pull order, options then source then mapper checked, never a synchronous throw', () => {
  it('resolves with the mapper results in pull order, whatever order they settle in', async () => {
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const call = map([0, 1, 2], (item) => gates[item]?.promise);
    gates[2]?.resolve('c');
    gates[0]?.resolve('a');
    gates[1]?.resolve('b');
    await expect(call).resolves.toEqual(['a', 'b', 'c']);
  });

  it('calls the mapper with the item, the call signal and the index in pull order', async () => {
    const seen: [string, boolean, number][] = [];
    await map(fromValues(['a', 'b']), (item, signal, index) => {
      seen.push([item, signal instanceof AbortSignal, index]);
    });
    expect(seen).toEqual([
      ['a', true, 0],
      ['b', true, 1],
    ]);
  });

  it('hands every mapper the same signal', async () => {
    const signals = new Set<AbortSignal>();
    await map([1, 2, 3], (_item, signal) => {
      signals.add(signal);
    });
    expect(signals.size).toBe(1);
  });

  it('rejects a source that is neither iterable nor async iterable with a TypeError naming source', async () => {
    await expect(map(42 as never, () => 1)).rejects.toThrow(TypeError);
    await expect(map(42 as never, () => 1)).rejects.toThrow(/`source`/);
  });

  it('rejects a mapper that is not a function with a TypeError naming mapper', async () => {
    await expect(map([1], 'nope' as never)).rejects.toThrow(/`mapper`/);
  });

  it('checks the options before the source, and the source before the mapper', async () => {
    await expect(map(42 as never, 'nope' as never, { concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(map(42 as never, 'nope' as never)).rejects.toThrow(/`source`/);
  });

  it('never throws synchronously, whatever it is given', () => {
    expect(() => observe(map(null as never, null as never, null as never))).not.toThrow();
  });

  it('does not call next() on a source when an argument is bad', async () => {
    const source = controlledSource<number>();
    await expect(map(source, () => 1, { timeout: -1 })).rejects.toThrow(RangeError);
    expect(source.pulls).toBe(0);
  });
});

describe('map 2. lazy pull: never more items held than the bound allows', () => {
  it('calls next() one at a time, never two at once', async () => {
    const source = controlledSource<number>();
    const call = map(source, (item) => item * 2, { concurrency: 4 });
    await flushMicrotasks();
    for (let item = 0; item < 5; item++) {
      expect(source.waiting).toBe(1);
      source.give(item);
      await flushMicrotasks();
    }
    source.end();
    await expect(call).resolves.toEqual([0, 2, 4, 6, 8]);
    expect(source.mostInFlight).toBe(1);
  });

  it('holds at most `concurrency` items of an endless source', async () => {
    const source = countingEndless();
    const gates: ReturnType<typeof deferred<void>>[] = [];
    const call = observe(
      map(
        source,
        () => {
          const gate = deferred();
          gates.push(gate);
          return gate.promise;
        },
        { concurrency: 4 },
      ),
    );
    await flushMicrotasks();
    expect(source.pulls).toBe(4);
    expect(gates).toHaveLength(4);
    gates[0]?.resolve();
    await flushMicrotasks();
    expect(source.pulls).toBe(5);
    expect(call.state.status).toBe('pending');
  });

  it('pulls for a free slot while the other mappers still run (the pull overlaps the mapping)', async () => {
    const source = controlledSource<number>();
    const running = deferred();
    observe(map(source, () => running.promise, { concurrency: 2 }));
    await flushMicrotasks();
    source.give(0);
    await flushMicrotasks();
    // Item 0's mapper runs; the next pull has started without waiting for it.
    expect(source.pulls).toBe(2);
  });

  it('frees the slot of a mapper that settles as it returns in the same turn, by a loop', async () => {
    const items = Array.from({ length: 1_000_000 }, (_, index) => index);
    const result = await map(items, (item) => item + 1, { concurrency: 1 });
    expect(result).toHaveLength(1_000_000);
    expect(result[999_999]).toBe(1_000_000);
  });

  it('reads a sync source synchronously: synchronous mappers run before map returns', () => {
    const seen: number[] = [];
    observe(map([1, 2, 3], (item) => seen.push(item), { concurrency: 1 }));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('reads an array, a Proxy with an odd length included, with exactly the reads for await makes', async () => {
    for (const length of [3, 2.5, '2', { valueOf: () => 2 }, -1, Number.NaN]) {
      const record = (log: string[]) =>
        new Proxy(['a', 'b', 'c'], {
          get(target, key, receiver) {
            log.push(typeof key === 'symbol' ? key.toString() : key);
            if (key !== 'length') return Reflect.get(target, key, receiver);
            if (typeof length !== 'object') return length;
            return {
              valueOf: () => {
                log.push('valueOf');
                return length.valueOf();
              },
            };
          },
        });
      const looped: string[] = [];
      const items: unknown[] = [];
      for await (const item of record(looped)) items.push(item);
      const read: string[] = [];
      expect(await map(record(read), (item) => item)).toEqual(items);
      expect(read).toEqual(looped);
    }
  });

  it('reads an array through its iterator when Array.prototype[Symbol.iterator] is replaced', async () => {
    const original = Array.prototype[Symbol.iterator];
    Array.prototype[Symbol.iterator] = function* () {
      yield 'replaced';
    } as unknown as typeof original;
    let result: unknown;
    try {
      result = await map([1, 2], (item) => item);
    } finally {
      Array.prototype[Symbol.iterator] = original;
    }
    expect(result).toEqual(['replaced']);
  });

  it("reads an array through its iterator when the Array iterator's next() is replaced", async () => {
    const prototype = Object.getPrototypeOf([][Symbol.iterator]()) as { next: () => unknown };
    const original = prototype.next;
    prototype.next = () => ({ done: true, value: undefined });
    let result: unknown;
    try {
      result = await map([1, 2], (item) => item);
    } finally {
      prototype.next = original;
    }
    expect(result).toEqual([]);
  });

  it('awaits a thenable item of a sync source before its mapper, and passes the value', async () => {
    const items: unknown[] = [];
    await map([Promise.resolve('a'), 'b'], (item) => {
      items.push(item);
    });
    expect(items.sort()).toEqual(['a', 'b']);
  });

  it('counts a sync thenable item against the bound from its pull until its mapper settles', async () => {
    const source = countingEndless();
    let calls = 0;
    const slow = deferred<number>();
    const lazy = (function* () {
      yield slow.promise;
      for (const item of source) yield item;
    })();
    observe(
      map(
        lazy,
        () => {
          calls++;
          return never();
        },
        { concurrency: 2 },
      ),
    );
    await flushMicrotasks();
    // One slot is held by the item still being awaited, the other by a running mapper.
    expect(calls).toBe(1);
    expect(source.pulls).toBe(1);
  });

  it('passes the items of an async source as they are, promises included', async () => {
    // An async generator would await what it yields: a hand-driven iterator does not.
    const source = controlledSource<Promise<string>>();
    const item = Promise.resolve('inner');
    const seen: unknown[] = [];
    const call = map(source, (value) => {
      seen.push(value);
    });
    await flushMicrotasks();
    source.give(item);
    await flushMicrotasks();
    source.end();
    await call;
    expect(seen[0]).toBe(item);
  });

  it('with a shared limit, pulls the next item only once the limiter has called the previous wrapper', async () => {
    const limit = pLimit(1);
    const blocker = deferred();
    const blocking = limit(() => blocker.promise);
    const source = countingEndless();
    observe(map(source, () => never(), { limit }));
    await flushMicrotasks();
    // The first item waits in the limiter's queue; nothing more is pulled meanwhile.
    expect(source.pulls).toBe(1);
    blocker.resolve();
    await blocking;
    await flushMicrotasks();
    // Its wrapper was called: one more item is pulled, and waits in the queue in turn.
    expect(source.pulls).toBe(2);
  });

  it('without any bound, pulls items one after another as fast as the source yields', async () => {
    const source = controlledSource<number>();
    let running = 0;
    observe(
      map(source, () => {
        running++;
        return never();
      }),
    );
    for (let item = 0; item < 50; item++) {
      await flushMicrotasks();
      source.give(item);
    }
    await flushMicrotasks();
    expect(running).toBe(50);
    expect(source.waiting).toBe(1);
  });
});

describe('map 3. fail fast', () => {
  it('rejects with the mapper failure itself and aborts the others with an AbortError caused by it', async () => {
    const failure = new Error('boom');
    let sibling: AbortSignal | undefined;
    const call = map([0, 1], (item, signal) => {
      if (item === 0) {
        sibling = signal;
        return never();
      }
      return Promise.reject(failure);
    });
    await expect(call).rejects.toBe(failure);
    expect(sibling?.aborted).toBe(true);
    expect((sibling?.reason as Error | undefined)?.name).toBe('AbortError');
    expect(causeOf(sibling?.reason)).toBe(failure);
  });

  it('rejects with what next() rejects with, and closes nothing that failed itself', async () => {
    const source = controlledSource<number>();
    const call = map(source, () => 1);
    await flushMicrotasks();
    const failure = new Error('read');
    source.fail(failure);
    await expect(call).rejects.toBe(failure);
    expect(source.returns).toBe(0);
  });

  it("rejects with what a step's done or value getter throws, and closes nothing (as for await)", async () => {
    for (const name of ['done', 'value']) {
      for (const isAsync of [false, true]) {
        const failure = new Error(name);
        let returns = 0;
        const step = {
          get [name]() {
            throw failure;
          },
        };
        const iterator = {
          next: () => (isAsync ? Promise.resolve(step) : step),
          return: () => {
            returns++;
            return { done: true, value: undefined };
          },
        };
        const source = isAsync
          ? { [Symbol.asyncIterator]: () => iterator }
          : { [Symbol.iterator]: () => iterator };
        await expect(map(source as Iterable<unknown>, () => 1)).rejects.toBe(failure);
        expect(returns).toBe(0);
      }
    }
  });

  it('rejects with a sync item rejection', async () => {
    const failure = new Error('item');
    const call = map([Promise.reject(failure)], () => 1);
    await expect(call).rejects.toBe(failure);
  });

  it('pulls nothing more and closes the source once a mapper has failed', async () => {
    const source = controlledSource<number>();
    const call = map(source, () => Promise.reject(new Error('no')), { concurrency: 2 });
    await flushMicrotasks();
    source.give(0);
    await expect(call).rejects.toThrow('no');
    const pulls = source.pulls;
    expect(source.returns).toBe(1);
    await flushMicrotasks();
    expect(source.pulls).toBe(pulls);
  });

  it('closes the source at once while a next() is in flight, without waiting for it', async () => {
    const source = controlledSource<number>();
    const call = map(source, () => Promise.reject(new Error('no')), { concurrency: 2 });
    await flushMicrotasks();
    source.give(0);
    await expect(call).rejects.toThrow('no');
    // The second pull is still unanswered: return() did not wait for it.
    expect(source.waiting).toBe(1);
    expect(source.returns).toBe(1);
  });

  it('drops an item that arrives after the call has ended', async () => {
    const source = controlledSource<number>();
    let calls = 0;
    const call = map(
      source,
      () => {
        calls++;
        return Promise.reject(new Error('no'));
      },
      { concurrency: 2 },
    );
    await flushMicrotasks();
    source.give(0);
    await expect(call).rejects.toThrow('no');
    source.give(1);
    await flushMicrotasks();
    expect(calls).toBe(1);
  });

  it('absorbs later failures: never a second settlement nor an unhandled rejection', async () => {
    const first = new Error('first');
    const call = map([0, 1, 2], (item) =>
      Promise.reject(item === 0 ? first : new Error(`later ${item}`)),
    );
    await expect(call).rejects.toBe(first);
    await flushMicrotasks();
  });

  it('with waitForCleanup, settles only once every started mapper has settled', async () => {
    const stuck = deferred();
    const call = observe(
      map([0, 1], (item) => (item === 0 ? stuck.promise : Promise.reject(new Error('no'))), {
        waitForCleanup: true,
      }),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    stuck.resolve();
    await flushMicrotasks();
    expect(call.state.status).toBe('rejected');
  });

  it("with waitForCleanup, settles only once the source's return() has settled", async () => {
    const source = controlledSource<number>();
    const closed = deferred();
    source.holdReturn(closed.promise);
    const call = observe(
      map(source, () => Promise.reject(new Error('no')), { waitForCleanup: true }),
    );
    await flushMicrotasks();
    source.give(0);
    await flushMicrotasks();
    expect(source.returns).toBe(1);
    expect(call.state.status).toBe('pending');
    closed.resolve();
    await flushMicrotasks();
    expect(call.state.status).toBe('rejected');
  });

  it("without waitForCleanup, settles even though the source's return() never does", async () => {
    const source = controlledSource<number>();
    source.holdReturn(never());
    const call = map(source, () => Promise.reject(new Error('no')));
    await flushMicrotasks();
    source.give(0);
    await expect(call).rejects.toThrow('no');
  });

  it('absorbs what return() throws', async () => {
    const source = controlledSource<number>();
    source.return = () => Promise.reject(new Error('close failed'));
    const call = map(source, () => Promise.reject(new Error('no')));
    await flushMicrotasks();
    source.give(0);
    await expect(call).rejects.toThrow('no');
    await flushMicrotasks();
  });
});

describe("map 4. the caller's signal and the deadline", () => {
  it('with an already-aborted signal, calls no next() at all and rejects with the reason', async () => {
    const source = controlledSource<number>();
    const reason = new Error('stop');
    await expect(map(source, () => 1, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(source.pulls).toBe(0);
  });

  it('aborts the mappers with the same reason, rejects with it and closes the source', async () => {
    const source = controlledSource<number>();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const call = map(
      source,
      (_item, signal) => {
        seen = signal;
        return never();
      },
      { signal: controller.signal, concurrency: 2 },
    );
    await flushMicrotasks();
    source.give(0);
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(seen?.reason).toBe(reason);
    expect(source.returns).toBe(1);
  });

  it('on the deadline, rejects with a TimeoutError and closes the source', async () => {
    vi.useFakeTimers();
    const source = controlledSource<number>();
    const call = observe(map(source, () => never(), { timeout: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('rejected');
    expect((call.state as { reason: Error }).reason.name).toBe('TimeoutError');
    expect(source.returns).toBe(1);
  });

  it('clears its timer once settled', async () => {
    vi.useFakeTimers();
    await map([1, 2], (item) => item, { timeout: 10_000 });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('map 5. the end of the source', () => {
  it('resolves [] for an empty source', async () => {
    await expect(map([], () => 1)).resolves.toEqual([]);
    await expect(map(fromValues([]), () => 1)).resolves.toEqual([]);
  });

  it('does not close a source that ended on its own', async () => {
    const source = controlledSource<number>();
    const call = map(source, (item) => item);
    await flushMicrotasks();
    source.give(1);
    await flushMicrotasks();
    source.end();
    await expect(call).resolves.toEqual([1]);
    expect(source.returns).toBe(0);
  });

  it('resolves only once every mapper has fulfilled after the source is done', async () => {
    const gate = deferred<string>();
    const call = observe(map(fromValues([0]), () => gate.promise));
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    gate.resolve('done');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'fulfilled', value: ['done'] });
  });
});
