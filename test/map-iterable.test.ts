/**
 * SPEC › Streams › `mapIterable`: an async iterator of results, in input or
 * completion order, with backpressure (`buffer`); started by the first `next()`;
 * leaving the loop aborts, closes the source and pulls nothing more.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mapIterable } from '../src/index';
import { controlledSource, countingEndless } from './support/controlled-source';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf } from './support/fixtures';

afterEach(() => {
  vi.useRealTimers();
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const results: T[] = [];
  for await (const value of iterable) results.push(value);
  return results;
}

describe('mapIterable 1. an async iterator of results, started by the first next()', () => {
  it('is its own async iterable', () => {
    const iterator = mapIterable([1], (item) => item);
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });

  it('pulls nothing, calls no mapper and arms no timer before the first next()', async () => {
    vi.useFakeTimers();
    const source = controlledSource<number>();
    const mapper = vi.fn();
    const iterator = mapIterable(source, mapper, { timeout: 100 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(source.pulls).toBe(0);
    expect(mapper).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    const step = observe(iterator.next());
    await vi.advanceTimersByTimeAsync(99);
    expect(step.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(step.state.status).toBe('rejected');
  });

  it('yields the results in input order by default', async () => {
    const gates = [deferred<string>(), deferred<string>()];
    const results = collect(
      mapIterable([0, 1], (item) => gates[item]?.promise, { concurrency: 2 }),
    );
    gates[1]?.resolve('b');
    await flushMicrotasks();
    gates[0]?.resolve('a');
    await expect(results).resolves.toEqual(['a', 'b']);
  });

  it('has [Symbol.asyncDispose] where the symbol exists', () => {
    if (typeof Symbol.asyncDispose !== 'symbol') return;
    expect(typeof mapIterable([1], (item) => item)[Symbol.asyncDispose]).toBe('function');
  });
});

describe('mapIterable 2. order and buffer', () => {
  it("in 'completion' order, delivers a result as soon as it is asked for, without head-of-line blocking", async () => {
    const slow = deferred<string>();
    const iterator = mapIterable([0, 1], (item) => (item === 0 ? slow.promise : 'fast'), {
      concurrency: 2,
      order: 'completion',
    });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'fast' });
    slow.resolve('slow');
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'slow' });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("in 'input' order, a finished result waits for the ones before it", async () => {
    const slow = deferred<string>();
    const iterator = mapIterable([0, 1], (item) => (item === 0 ? slow.promise : 'fast'), {
      concurrency: 2,
    });
    const step = observe(iterator.next());
    await flushMicrotasks();
    expect(step.state.status).toBe('pending');
    slow.resolve('slow');
    await flushMicrotasks();
    expect(step.state).toEqual({ status: 'fulfilled', value: { done: false, value: 'slow' } });
  });

  it('a consumer that stops asking stops the pulling: at most `buffer` items held', async () => {
    const source = countingEndless();
    const iterator = mapIterable(source, (item) => item, { concurrency: 2, buffer: 3 });
    await iterator.next();
    await flushMicrotasks();
    // One taken, three waiting in the buffer.
    expect(source.pulls).toBe(4);
    await iterator.next();
    await flushMicrotasks();
    expect(source.pulls).toBe(5);
    await iterator.return?.();
  });

  it('buffer defaults to the concurrency', async () => {
    const source = countingEndless();
    const iterator = mapIterable(source, (item) => item, { concurrency: 4 });
    await iterator.next();
    await flushMicrotasks();
    expect(source.pulls).toBe(5);
    await iterator.return?.();
  });

  it('never runs more than `concurrency` mappers, whatever the buffer', async () => {
    const source = countingEndless();
    let running = 0;
    let most = 0;
    const iterator = mapIterable(
      source,
      () => {
        running++;
        most = Math.max(most, running);
        return never();
      },
      { concurrency: 2, buffer: 10 },
    );
    observe(iterator.next());
    await flushMicrotasks();
    expect(most).toBe(2);
    await iterator.return?.();
  });
});

describe('mapIterable 3. a failure ends the stream, and nothing that was ready is lost', () => {
  it("delivers the results finished before the failure, then rejects, then is done ('input' order)", async () => {
    const failure = new Error('no');
    const iterator = mapIterable(
      [0, 1, 2],
      (item) => (item === 2 ? Promise.reject(failure) : item),
      {
        concurrency: 3,
      },
    );
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 0 });
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(iterator.next()).rejects.toBe(failure);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it("skips an item still running at the failure in 'input' order (aborted, no gap marker)", async () => {
    const failure = new Error('no');
    let running: AbortSignal | undefined;
    const iterator = mapIterable(
      [0, 1],
      (item, signal) => {
        if (item === 0) {
          running = signal;
          return never();
        }
        return Promise.reject(failure);
      },
      { concurrency: 2 },
    );
    await expect(iterator.next()).rejects.toBe(failure);
    expect(running?.aborted).toBe(true);
    expect(causeOf(running?.reason)).toBe(failure);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('closes the source and pulls nothing more', async () => {
    const source = controlledSource<number>();
    const iterator = mapIterable(source, () => Promise.reject(new Error('no')), { concurrency: 2 });
    const step = iterator.next();
    await flushMicrotasks();
    source.give(0);
    await expect(step).rejects.toThrow('no');
    expect(source.returns).toBe(1);
    const pulls = source.pulls;
    await iterator.next();
    expect(source.pulls).toBe(pulls);
  });
});

describe('mapIterable 4. leaving the loop', () => {
  it('aborts the running mappers with an AbortError whose cause is undefined, closes the source, pulls nothing more', async () => {
    const source = controlledSource<number>();
    let seen: AbortSignal | undefined;
    const iterator = mapIterable(
      source,
      (item, signal) => {
        seen = signal;
        return item === 0 ? 'first' : never();
      },
      { concurrency: 2 },
    );
    const step = iterator.next();
    await flushMicrotasks();
    source.give(0);
    await expect(step).resolves.toEqual({ done: false, value: 'first' });
    source.give(1);
    await flushMicrotasks();
    await iterator.return?.();
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as Error | undefined)?.name).toBe('AbortError');
    expect(Object.hasOwn(seen?.reason as object, 'cause')).toBe(true);
    expect(causeOf(seen?.reason)).toBeUndefined();
    expect(source.returns).toBe(1);
    const pulls = source.pulls;
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    expect(source.pulls).toBe(pulls);
  });

  it('break in a for await loop closes the source once', async () => {
    const source = countingEndless();
    for await (const item of mapIterable(source, (value) => value, { concurrency: 2 })) {
      if (item === 3) break;
    }
    expect(source.returns).toBe(1);
  });

  it('with waitForCleanup, return() settles only after the started mappers have', async () => {
    const gate = deferred();
    const iterator = mapIterable([0, 1], (item) => (item === 0 ? 'ready' : gate.promise), {
      concurrency: 2,
      waitForCleanup: true,
    });
    await iterator.next();
    const leaving = observe(iterator.return?.() ?? Promise.resolve());
    await flushMicrotasks();
    expect(leaving.state.status).toBe('pending');
    gate.resolve();
    await flushMicrotasks();
    expect(leaving.state.status).toBe('fulfilled');
  });

  it('return() with next() calls pending resolves each with done', async () => {
    const iterator = mapIterable([0], () => never());
    const pending = iterator.next();
    await iterator.return?.();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
  });
});

describe("mapIterable 5-6. the caller's abort, the deadline, next() before the previous settles, bad arguments", () => {
  it("ends as a failure does on the caller's abort, with that reason", async () => {
    const controller = new AbortController();
    const iterator = mapIterable([0], () => never(), { signal: controller.signal });
    const step = iterator.next();
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(step).rejects.toBe(reason);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('delivers results in call order when next() is called again before the previous settles', async () => {
    const iterator = mapIterable([1, 2, 3], (item) => item * 10, { concurrency: 3 });
    const steps = await Promise.all([
      iterator.next(),
      iterator.next(),
      iterator.next(),
      iterator.next(),
    ]);
    expect(steps).toEqual([
      { done: false, value: 10 },
      { done: false, value: 20 },
      { done: false, value: 30 },
      { done: true, value: undefined },
    ]);
  });

  it('rejects the first next() for bad arguments, then is done', async () => {
    const iterator = mapIterable([1], (item) => item, { order: 'sideways' as never });
    await expect(iterator.next()).rejects.toThrow(TypeError);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('a buffer that is not an integer ≥ 1 nor Infinity is a RangeError naming buffer, a string included', async () => {
    await expect(mapIterable([1], (item) => item, { buffer: 0 }).next()).rejects.toThrow(
      /`buffer`/,
    );
    await expect(mapIterable([1], (item) => item, { buffer: '2' as never }).next()).rejects.toThrow(
      RangeError,
    );
  });

  it('releases its timer once the source is done and every mapper has settled, before the last result is taken', async () => {
    vi.useFakeTimers();
    const iterator = mapIterable([1], (item) => item, { timeout: 10_000 });
    await iterator.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
