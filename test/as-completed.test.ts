/**
 * SPEC › Beyond gather › `asCompleted(tasks, options?)`, clause by clause. Every
 * ordering is fixed by deferred promises or fake timers, never by sleeping.
 */
import pLimit from 'p-limit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AsCompletedIterator, asCompleted, gatherSettled } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
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
const asCompletedAny = asCompleted as unknown as (
  tasks: unknown,
  options?: unknown,
) => AsCompletedIterator<unknown>;
const gatherSettledAny = gatherSettled as unknown as (
  tasks: unknown,
  options?: unknown,
) => Promise<unknown>;

/** Every entry the iterator still gives, through `for await`. */
async function takeAll<E>(entries: AsyncIterable<E>): Promise<E[]> {
  const taken: E[] = [];
  for await (const entry of entries) taken.push(entry);
  return taken;
}

/**
 * Entries sorted by numeric key: for entries made together by one abort, whose
 * order among themselves SPEC does not fix.
 */
function byKey<E extends { key: unknown }>(entries: E[]): E[] {
  return [...entries].sort((a, b) => Number(a.key) - Number(b.key));
}

/** The reason `promise` rejects with; fails the test if it fulfils. */
async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (reason: unknown) => reason,
  );
}

/** A task function that keeps the signal it was called with and never settles. */
function signalKeeper(): { task: (signal: AbortSignal) => Promise<never>; signal(): AbortSignal } {
  let kept: AbortSignal | undefined;
  return {
    task: (signal) => {
      kept = signal;
      return never();
    },
    signal: () => {
      if (kept === undefined) throw new Error('the task function was not called');
      return kept;
    },
  };
}

const done = { done: true, value: undefined };

afterEach(() => {
  vi.useRealTimers();
});

describe('asCompleted 1. an async iterator of entries in completion order', () => {
  it('delivers entries in completion order with their index as key', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const c = deferred<string>();
    const entries = asCompleted([() => a.promise, b.promise, () => c.promise]);
    b.resolve('b');
    expect(await entries.next()).toStrictEqual({
      done: false,
      value: { key: 1, status: 'fulfilled', value: 'b' },
    });
    c.resolve('c');
    expect(await entries.next()).toStrictEqual({
      done: false,
      value: { key: 2, status: 'fulfilled', value: 'c' },
    });
    a.resolve('a');
    expect(await entries.next()).toStrictEqual({
      done: false,
      value: { key: 0, status: 'fulfilled', value: 'a' },
    });
    expect(await entries.next()).toStrictEqual(done);
  });

  it('gives a fulfilled entry exactly { key, status, value } and a rejected one exactly { key, status, reason }', async () => {
    const failure = new Error('no');
    const [fulfilled, rejected] = await takeAll(
      asCompleted([() => 'yes', () => Promise.reject(failure)]),
    );
    expect(fulfilled).toStrictEqual({ key: 0, status: 'fulfilled', value: 'yes' });
    expect(Reflect.ownKeys(fulfilled as object).sort()).toEqual(['key', 'status', 'value']);
    expect(rejected).toStrictEqual({ key: 1, status: 'rejected', reason: failure });
    expect(Reflect.ownKeys(rejected as object).sort()).toEqual(['key', 'reason', 'status']);
    expect(rejected?.status === 'rejected' && rejected.reason).toBe(failure);
  });

  it('gives `value` and `reason` as own properties when they are undefined', async () => {
    const entries = await takeAll(asCompleted([() => undefined, Promise.reject(undefined)]));
    expect(entries.map((entry) => entry.status)).toEqual(['fulfilled', 'rejected']);
    for (const entry of entries) {
      expect(Object.hasOwn(entry, entry.status === 'fulfilled' ? 'value' : 'reason')).toBe(true);
    }
  });

  it('keys the entries of other iterables by index: a Set, a generator, a string', async () => {
    function* generated() {
      yield 'g0';
      yield () => 'g1';
    }
    expect(await takeAll(asCompleted(new Set([() => 's0'])))).toStrictEqual([
      { key: 0, status: 'fulfilled', value: 's0' },
    ]);
    expect(await takeAll(asCompleted(generated()))).toStrictEqual([
      { key: 0, status: 'fulfilled', value: 'g0' },
      { key: 1, status: 'fulfilled', value: 'g1' },
    ]);
    expect(await takeAll(asCompleted('ab'))).toStrictEqual([
      { key: 0, status: 'fulfilled', value: 'a' },
      { key: 1, status: 'fulfilled', value: 'b' },
    ]);
  });

  it('keys the entries of a plain object by its keys, symbols included and numbers as strings', async () => {
    const symbol = Symbol('s');
    const late = deferred<string>();
    const entries = asCompleted({ name: () => late.promise, 7: 'seven', [symbol]: async () => 3 });
    const first = await entries.next();
    const second = await entries.next();
    late.resolve('named');
    const third = await entries.next();
    expect([first.value, second.value, third.value]).toStrictEqual([
      { key: '7', status: 'fulfilled', value: 'seven' },
      { key: symbol, status: 'fulfilled', value: 3 },
      { key: 'name', status: 'fulfilled', value: 'named' },
    ]);
  });

  it('keys the entries of a Map by its keys, the same values', async () => {
    const objectKey = { id: 1 };
    const failure = new Error('no');
    const input = new Map<unknown, unknown>([
      [objectKey, () => 'object'],
      ['text', Promise.reject(failure)],
    ]);
    const entries = await takeAll(asCompleted(input));
    expect(entries).toStrictEqual([
      { key: objectKey, status: 'fulfilled', value: 'object' },
      { key: 'text', status: 'rejected', reason: failure },
    ]);
    expect(entries[0]?.key).toBe(objectKey);
  });

  it('is its own async iterable', () => {
    const entries = asCompleted([1]);
    expect(entries[Symbol.asyncIterator]()).toBe(entries);
  });

  it('lets a for await pick up after next() calls, with only the entries not yet taken', async () => {
    const entries = asCompleted(['a', 'b', 'c']);
    expect((await entries.next()).value).toStrictEqual({ key: 0, status: 'fulfilled', value: 'a' });
    expect(await takeAll(entries)).toStrictEqual([
      { key: 1, status: 'fulfilled', value: 'b' },
      { key: 2, status: 'fulfilled', value: 'c' },
    ]);
  });

  it('can be used once: a second for await continues the same iteration and starts nothing again', async () => {
    const task = vi.fn(() => 'once');
    const entries = asCompleted([task]);
    expect(await takeAll(entries)).toHaveLength(1);
    expect(await takeAll(entries)).toStrictEqual([]);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('ends at once for empty input: an empty array, object or Map', async () => {
    expect(await asCompleted([]).next()).toStrictEqual(done);
    expect(await asCompleted({}).next()).toStrictEqual(done);
    expect(await asCompleted(new Map()).next()).toStrictEqual(done);
  });

  it('stays done once every entry has been taken', async () => {
    const entries = asCompleted([1]);
    await entries.next();
    expect(await entries.next()).toStrictEqual(done);
    expect(await entries.next()).toStrictEqual(done);
  });
});

describe('asCompleted 2. same tasks, starts and options as gatherSettled', () => {
  it('calls every task function during asCompleted(...), in input order, with one signal, before any next()', () => {
    const order: string[] = [];
    const signals: AbortSignal[] = [];
    const entries = asCompleted([
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
    return entries.return();
  });

  it('awaits promises, thenables and plain values as tasks', async () => {
    const thenable = manualThenable<string>();
    const entries = asCompleted([Promise.resolve('promise'), thenable, 'plain']);
    const taken = [await entries.next(), await entries.next()];
    thenable.resolve('thenable');
    taken.push(await entries.next());
    expect(taken.map((step) => step.value)).toStrictEqual([
      { key: 2, status: 'fulfilled', value: 'plain' },
      { key: 0, status: 'fulfilled', value: 'promise' },
      { key: 1, status: 'fulfilled', value: 'thenable' },
    ]);
    expect(await entries.next()).toStrictEqual(done);
  });

  it('runs no thenable callback inside the start loop: a synchronous thenable arrives after a plain value behind it', async () => {
    const entries = asCompleted([fulfillingThenable('thenable'), 'plain']);
    expect(await takeAll(entries)).toStrictEqual([
      { key: 1, status: 'fulfilled', value: 'plain' },
      { key: 0, status: 'fulfilled', value: 'thenable' },
    ]);
  });

  it('reports a task function that throws as a rejected entry and still calls the later ones', async () => {
    const thrown = new Error('thrown');
    const later = vi.fn(() => 'later');
    const entries = asCompleted([
      () => {
        throw thrown;
      },
      later,
    ]);
    expect(later).toHaveBeenCalledTimes(1);
    expect(await takeAll(entries)).toStrictEqual([
      { key: 0, status: 'rejected', reason: thrown },
      { key: 1, status: 'fulfilled', value: 'later' },
    ]);
  });

  it('does not abort the siblings’ signal when a task fails', async () => {
    const sibling = deferred<string>();
    let signal: AbortSignal | undefined;
    const failure = new Error('no');
    const entries = asCompleted([
      (s) => {
        signal = s;
        return sibling.promise;
      },
      () => Promise.reject(failure),
    ]);
    expect((await entries.next()).value).toStrictEqual({
      key: 1,
      status: 'rejected',
      reason: failure,
    });
    expect(signal?.aborted).toBe(false);
    sibling.resolve('still wanted');
    expect((await entries.next()).value).toStrictEqual({
      key: 0,
      status: 'fulfilled',
      value: 'still wanted',
    });
    expect(await entries.next()).toStrictEqual(done);
    expect(signal?.aborted).toBe(false);
  });

  it('never throws on bad tasks: the first next() rejects with gatherSettled’s TypeError, then it is done', async () => {
    let entries: AsCompletedIterator<unknown> | undefined;
    expect(() => {
      entries = asCompletedAny(42);
    }).not.toThrow();
    if (entries === undefined) return;
    const error = await rejectionOf(entries.next());
    const expected = await rejectionOf(gatherSettledAny(42));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe((expected as Error).message);
    expect((error as Error).message).toMatch(/`tasks`/);
    expect(await entries.next()).toStrictEqual(done);
  });

  it('rejects the first next() with a TypeError for an async iterable', async () => {
    const input = (async function* () {
      yield 1;
    })();
    const error = await rejectionOf(asCompletedAny(input).next());
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/async iterable/);
  });

  const badOptions: Array<[name: string, options: unknown, ErrorClass: typeof Error]> = [
    ['options not an object', 'fast', TypeError],
    ['a signal that is not one', { signal: {} }, TypeError],
    ['a limit that is not a function', { limit: 2 }, TypeError],
    ['both concurrency and limit', { concurrency: 2, limit: pLimit(2) }, TypeError],
    ['a concurrency that is not a number', { concurrency: '4' }, TypeError],
    ['a concurrency of 0', { concurrency: 0 }, RangeError],
    ['a fractional concurrency', { concurrency: 1.5 }, RangeError],
    ['a timeout that is not a number', { timeout: '1s' }, TypeError],
    ['a negative timeout', { timeout: -1 }, RangeError],
    ['a NaN timeout', { timeout: Number.NaN }, RangeError],
    ['a waitForCleanup that is not a boolean', { waitForCleanup: 'yes' }, TypeError],
  ];

  it.each(badOptions)(
    'rejects the first next() for %s, as gatherSettled does, calling no task, then is done',
    async (_name, options, ErrorClass) => {
      const task = vi.fn(() => 'ran');
      let entries: AsCompletedIterator<unknown> | undefined;
      expect(() => {
        entries = asCompletedAny([task], options);
      }).not.toThrow();
      if (entries === undefined) return;
      const error = await rejectionOf(entries.next());
      const expected = await rejectionOf(gatherSettledAny([task], options));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(expected).toBeInstanceOf(ErrorClass);
      expect((error as Error).message).toBe((expected as Error).message);
      expect(task).not.toHaveBeenCalled();
      expect(await entries.next()).toStrictEqual(done);
    },
  );

  it('treats `signal: null` and options left undefined as absent', async () => {
    expect(
      await takeAll(
        asCompleted([() => 'ran'], { signal: null, timeout: undefined, concurrency: undefined }),
      ),
    ).toStrictEqual([{ key: 0, status: 'fulfilled', value: 'ran' }]);
  });

  it('lets bad options win over an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const error = await rejectionOf(
      asCompletedAny([1], { signal: controller.signal, concurrency: 0 }).next(),
    );
    expect(error).toBeInstanceOf(RangeError);
  });

  it('after return() on bad arguments, next() resolves { done: true } without the error', async () => {
    const entries = asCompletedAny(42);
    expect(await entries.return()).toStrictEqual(done);
    expect(await entries.next()).toStrictEqual(done);
  });

  it('rejects the first next() with the very error thrown while the input is read, starting nothing', async () => {
    const readError = new Error('cannot read');
    const task = vi.fn(() => 'ran');
    function* tasks() {
      yield task;
      throw readError;
    }
    const entries = asCompleted(tasks());
    expect(task).not.toHaveBeenCalled();
    expect(await rejectionOf(entries.next())).toBe(readError);
    expect(await entries.next()).toStrictEqual(done);
  });

  it('leaves no unhandled rejection when next() is never called on bad arguments', async () => {
    const reasons = await unhandledRejectionsDuring(() => {
      asCompletedAny(42);
      asCompletedAny([1], { timeout: -1 });
    });
    expect(reasons).toEqual([]);
  });

  it('rejects the first next() with the error of a caller’s signal-like whose addEventListener throws', async () => {
    const signal = fakeSignal();
    const failure = new Error('cannot listen');
    signal.addEventListener = () => {
      throw failure;
    };
    const task = vi.fn(() => 'ran');
    const entries = asCompleted([task], { signal });
    expect(await rejectionOf(entries.next())).toBe(failure);
    expect(task).not.toHaveBeenCalled();
    expect(await entries.next()).toStrictEqual(done);
  });

  it('with concurrency, calls the first c task functions during the call and the rest as slots free', async () => {
    const tasks = probe();
    const entries = asCompleted(
      labels('t', 4).map((label) => tasks.task(label)),
      { concurrency: 2 },
    );
    expect(tasks.started).toEqual(['t0', 't1']);
    tasks.resolve('t1');
    expect((await entries.next()).value).toMatchObject({ key: 1, value: 't1' });
    expect(tasks.started).toEqual(['t0', 't1', 't2']);
    await entries.return();
  });

  it('with concurrency, never runs more than c task functions at once, starting them in input order', async () => {
    const tasks = probe();
    const names = labels('t', 5);
    const entries = asCompleted(
      names.map((label) => tasks.task(label)),
      { concurrency: 2 },
    );
    for (const label of [...names].reverse()) tasks.resolve(label);
    const taken = await takeAll(entries);
    expect(taken).toHaveLength(5);
    expect(tasks.maxRunning).toBe(2);
    expect(tasks.started).toEqual(names);
  });

  it('with a shared p-limit, bounds two loops together', async () => {
    const limit = pLimit(2);
    const tasks = probe();
    const names = labels('t', 6);
    const left = asCompleted(
      names.slice(0, 3).map((label) => tasks.task(label)),
      { limit },
    );
    const right = asCompleted(
      names.slice(3).map((label) => tasks.task(label)),
      { limit },
    );
    for (const label of names) tasks.resolve(label);
    const [fromLeft, fromRight] = await Promise.all([takeAll(left), takeAll(right)]);
    expect(fromLeft).toHaveLength(3);
    expect(fromRight).toHaveLength(3);
    expect(tasks.maxRunning).toBe(2);
    expect(tasks.started).toEqual(names);
  });

  it('reports a task a shared limiter refused (p-limit’s clearQueue) as rejected with its error, and the others carry on', async () => {
    const limit = pLimit({ concurrency: 1, rejectOnClear: true });
    const tasks = probe();
    const queued = vi.fn(() => 'queued');
    const entries = asCompleted([tasks.task('t0'), queued], { limit });
    await flushMicrotasks();
    limit.clearQueue();
    const refused = await entries.next();
    expect(refused.value).toMatchObject({
      key: 1,
      status: 'rejected',
      reason: { name: 'AbortError' },
    });
    expect(tasks.signalOf('t0')?.aborted).toBe(false);
    tasks.resolve('t0');
    expect(await takeAll(entries)).toStrictEqual([{ key: 0, status: 'fulfilled', value: 't0' }]);
    expect(queued).not.toHaveBeenCalled();
  });

  it('calls no later task function once a task aborts the caller’s signal during the call', async () => {
    const controller = new AbortController();
    const later = vi.fn(() => 'later');
    const entries = asCompleted(
      [
        () => {
          controller.abort('stop');
        },
        later,
      ],
      { signal: controller.signal },
    );
    expect(later).not.toHaveBeenCalled();
    expect(byKey(await takeAll(entries))).toStrictEqual([
      { key: 0, status: 'rejected', reason: 'stop' },
      { key: 1, status: 'rejected', reason: 'stop' },
    ]);
  });
});

describe('asCompleted 3. leaving the loop early', () => {
  it('on break, aborts the running tasks with an "AbortError" whose own cause is undefined', async () => {
    const running = signalKeeper();
    for await (const entry of asCompleted([running.task, () => 'first'])) {
      expect(entry.key).toBe(1);
      expect(running.signal().aborted).toBe(false);
      break;
    }
    const reason: unknown = running.signal().reason;
    expect(running.signal().aborted).toBe(true);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(Object.getOwnPropertyDescriptor(reason, 'cause')).toMatchObject({ value: undefined });
    expect(causeOf(reason)).toBeUndefined();
  });

  it('on return(), aborts the running tasks with an "AbortError"', async () => {
    const running = signalKeeper();
    const entries = asCompleted([running.task]);
    await entries.return();
    expect(running.signal().reason).toMatchObject({ name: 'AbortError' });
    expect(Object.getOwnPropertyDescriptor(running.signal().reason, 'cause')).toMatchObject({
      value: undefined,
    });
  });

  it('on a throw in the loop body, aborts the running tasks and lets the error through', async () => {
    const running = signalKeeper();
    const thrown = new Error('loop body');
    const loop = async () => {
      for await (const _entry of asCompleted([running.task, 'first'])) {
        throw thrown;
      }
    };
    expect(await rejectionOf(loop())).toBe(thrown);
    expect(running.signal().reason).toMatchObject({ name: 'AbortError' });
  });

  it('starts no queued task function after the loop is left, even when a running one settles', async () => {
    const first = deferred<string>();
    const queued = vi.fn(() => 'queued');
    const entries = asCompleted([() => first.promise, queued], { concurrency: 1 });
    await entries.return();
    first.resolve('done');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
  });

  it('starts no task function a shared limiter queued once the loop is left', async () => {
    const limit = pLimit(1);
    const first = deferred<string>();
    const queued = vi.fn(() => 'queued');
    const entries = asCompleted([() => first.promise, queued], { limit });
    await flushMicrotasks();
    await entries.return();
    first.resolve('done');
    await flushMicrotasks();
    expect(queued).not.toHaveBeenCalled();
    expect(limit.activeCount + limit.pendingCount).toBe(0);
  });

  it('return() resolves with { done: true, value: undefined }', async () => {
    const entries = asCompleted([() => never()]);
    expect(await entries.return()).toStrictEqual(done);
  });

  it('after return(), next() resolves { done: true }, dropping entries not yet taken', async () => {
    const entries = asCompleted(['a', 'b', () => never()]);
    await entries.return();
    expect(await entries.next()).toStrictEqual(done);
    expect(await entries.next()).toStrictEqual(done);
  });

  it('answers a next() still waiting when return() is called with { done: true }', async () => {
    const entries = asCompleted([() => never()]);
    const waiting = entries.next();
    await entries.return();
    expect(await waiting).toStrictEqual(done);
  });

  it('reports nothing that finishes after the loop was left', async () => {
    const late = deferred<string>();
    const entries = asCompleted([late.promise, () => never()]);
    await entries.return();
    late.resolve('late');
    await flushMicrotasks();
    expect(await entries.next()).toStrictEqual(done);
  });

  it('without waitForCleanup, return() resolves while task functions still run', async () => {
    const running = deferred<string>();
    const entries = asCompleted([() => running.promise]);
    const returned = observe(entries.return());
    await flushMicrotasks();
    expect(returned.state).toStrictEqual({ status: 'fulfilled', value: done });
  });

  it('with waitForCleanup, return() resolves only once the started task functions have settled', async () => {
    const ignoresSignal = deferred<string>();
    const entries = asCompleted([() => ignoresSignal.promise, () => 'first'], {
      waitForCleanup: true,
    });
    expect((await entries.next()).value).toMatchObject({ key: 1 });
    const returned = observe(entries.return());
    await flushMicrotasks();
    expect(returned.state.status).toBe('pending');
    ignoresSignal.resolve('finally');
    await flushMicrotasks();
    expect(returned.state).toStrictEqual({ status: 'fulfilled', value: done });
  });

  it('with waitForCleanup, a break waits for the started task functions before the code after the loop', async () => {
    const ignoresSignal = deferred<string>();
    const after = vi.fn();
    const loop = observe(
      (async () => {
        for await (const _entry of asCompleted([() => ignoresSignal.promise, 'first'], {
          waitForCleanup: true,
        })) {
          break;
        }
        after();
      })(),
    );
    await flushMicrotasks();
    expect(after).not.toHaveBeenCalled();
    expect(loop.state.status).toBe('pending');
    ignoresSignal.reject(new Error('stopped late'));
    await flushMicrotasks();
    expect(after).toHaveBeenCalledTimes(1);
    expect(loop.state.status).toBe('fulfilled');
  });

  it('with waitForCleanup, next() after return() resolves { done: true } at once, and an entry finishing meanwhile is dropped', async () => {
    const ignoresSignal = deferred<string>();
    const entries = asCompleted([() => ignoresSignal.promise, 'buffered'], {
      waitForCleanup: true,
    });
    const returned = observe(entries.return());
    const next = observe(entries.next());
    await flushMicrotasks();
    expect(next.state).toStrictEqual({ status: 'fulfilled', value: done });
    ignoresSignal.resolve('during cleanup');
    await flushMicrotasks();
    expect(returned.state.status).toBe('fulfilled');
    expect(await entries.next()).toStrictEqual(done);
  });

  it('with waitForCleanup, return() does not wait for promise and thenable tasks', async () => {
    const entries = asCompleted([never(), manualThenable<string>()], { waitForCleanup: true });
    const returned = observe(entries.return());
    await flushMicrotasks();
    expect(returned.state).toStrictEqual({ status: 'fulfilled', value: done });
  });
});

describe('asCompleted 4. the caller’s abort and the deadline', () => {
  it('reports each unfinished task rejected with the caller’s reason, the same object, then ends', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const entries = asCompleted([() => never(), never(), manualThenable<string>()], {
      signal: controller.signal,
    });
    controller.abort(reason);
    const taken = await takeAll(entries);
    expect(taken.map((entry) => entry.key).sort()).toEqual([0, 1, 2]);
    for (const entry of taken) {
      expect(entry.status).toBe('rejected');
      expect(entry.status === 'rejected' && entry.reason).toBe(reason);
    }
  });

  it('keeps the own outcome of tasks that had finished, even those not yet taken', async () => {
    const controller = new AbortController();
    const failure = new Error('own failure');
    const reason = new Error('stop');
    const entries = asCompleted(
      [Promise.resolve('early'), () => Promise.reject(failure), () => never()],
      { signal: controller.signal },
    );
    await flushMicrotasks();
    controller.abort(reason);
    expect(await takeAll(entries)).toStrictEqual([
      { key: 0, status: 'fulfilled', value: 'early' },
      { key: 1, status: 'rejected', reason: failure },
      { key: 2, status: 'rejected', reason },
    ]);
  });

  it('keeps the own outcome of a task that had finished and was already taken, without repeating it', async () => {
    const controller = new AbortController();
    const entries = asCompleted(['taken', () => never()], { signal: controller.signal });
    expect((await entries.next()).value).toStrictEqual({
      key: 0,
      status: 'fulfilled',
      value: 'taken',
    });
    controller.abort('stop');
    expect(await takeAll(entries)).toStrictEqual([{ key: 1, status: 'rejected', reason: 'stop' }]);
  });

  it('keeps every outcome when the caller aborts after all tasks finished but before the entries are taken', async () => {
    const controller = new AbortController();
    const entries = asCompleted([Promise.resolve('a'), () => Promise.reject('b')], {
      signal: controller.signal,
    });
    await flushMicrotasks();
    controller.abort('too late');
    expect(await takeAll(entries)).toStrictEqual([
      { key: 0, status: 'fulfilled', value: 'a' },
      { key: 1, status: 'rejected', reason: 'b' },
    ]);
  });

  it('answers a next() already waiting with the entry the abort makes', async () => {
    const controller = new AbortController();
    const entries = asCompleted([() => never()], { signal: controller.signal });
    const waiting = entries.next();
    controller.abort('stop');
    expect(await waiting).toStrictEqual({
      done: false,
      value: { key: 0, status: 'rejected', reason: 'stop' },
    });
    expect(await entries.next()).toStrictEqual(done);
  });

  it('aborts the call’s signal with the caller’s reason, the same object', async () => {
    const controller = new AbortController();
    const running = signalKeeper();
    const entries = asCompleted([running.task], { signal: controller.signal });
    const reason = { custom: 'reason' };
    controller.abort(reason);
    expect(running.signal().reason).toBe(reason);
    await takeAll(entries);
  });

  it('ignores outcomes that arrive after the abort', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const pending = deferred<string>();
    const entries = asCompleted([() => running.promise, pending.promise], {
      signal: controller.signal,
    });
    controller.abort('stop');
    running.resolve('late');
    pending.reject(new Error('late'));
    await flushMicrotasks();
    expect(byKey(await takeAll(entries))).toStrictEqual([
      { key: 0, status: 'rejected', reason: 'stop' },
      { key: 1, status: 'rejected', reason: 'stop' },
    ]);
  });

  it('on the deadline, reports unfinished tasks rejected with one "TimeoutError" DOMException, then ends', async () => {
    vi.useFakeTimers();
    const running = signalKeeper();
    const entries = asCompleted([() => 'fast', running.task, never()], { timeout: 50 });
    expect((await entries.next()).value).toStrictEqual({
      key: 0,
      status: 'fulfilled',
      value: 'fast',
    });
    const waiting = observe(entries.next());
    await vi.advanceTimersByTimeAsync(49);
    expect(waiting.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(waiting.state.status).toBe('fulfilled');
    const rest = await takeAll(entries);
    const timedOut = [
      waiting.state.status === 'fulfilled' ? waiting.state.value.value : undefined,
      ...rest,
    ];
    expect(timedOut.map((entry) => entry?.key).sort()).toEqual([1, 2]);
    const reason = timedOut[0]?.status === 'rejected' ? timedOut[0].reason : undefined;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(timedOut[1]).toMatchObject({ status: 'rejected', reason });
    expect(timedOut[1]?.status === 'rejected' && timedOut[1].reason).toBe(reason);
    expect(running.signal().reason).toBe(reason);
  });

  it('with a timeout of 0, still calls the task functions, and work that settles in microtasks wins', async () => {
    vi.useFakeTimers();
    const quick = vi.fn(async () => 'quick');
    const entries = asCompleted([quick, () => never()], { timeout: 0 });
    expect(quick).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(0);
    const taken = await takeAll(entries);
    expect(taken[0]).toStrictEqual({ key: 0, status: 'fulfilled', value: 'quick' });
    expect(taken[1]).toMatchObject({
      key: 1,
      status: 'rejected',
      reason: { name: 'TimeoutError' },
    });
  });

  it('with waitForCleanup, reports a running task function’s own outcome once it settles, then ends', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const running = deferred<string>();
    const pending = deferred<string>();
    const entries = asCompleted([() => running.promise, pending.promise], {
      signal: controller.signal,
      waitForCleanup: true,
    });
    controller.abort(reason);
    expect((await entries.next()).value).toStrictEqual({ key: 1, status: 'rejected', reason });
    const waiting = observe(entries.next());
    await flushMicrotasks();
    expect(waiting.state.status).toBe('pending');
    running.resolve('cancelled but returned a value');
    await flushMicrotasks();
    expect(waiting.state).toStrictEqual({
      status: 'fulfilled',
      value: {
        done: false,
        value: { key: 0, status: 'fulfilled', value: 'cancelled but returned a value' },
      },
    });
    expect(await entries.next()).toStrictEqual(done);
  });

  it('with waitForCleanup, reports a queued task function that never started as rejected with the reason', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const queued = vi.fn(() => 'queued');
    const entries = asCompleted([() => running.promise, queued], {
      signal: controller.signal,
      waitForCleanup: true,
      concurrency: 1,
    });
    controller.abort('stop');
    expect((await entries.next()).value).toStrictEqual({
      key: 1,
      status: 'rejected',
      reason: 'stop',
    });
    running.reject('stopped');
    expect(await takeAll(entries)).toStrictEqual([
      { key: 0, status: 'rejected', reason: 'stopped' },
    ]);
    expect(queued).not.toHaveBeenCalled();
  });

  it('with waitForCleanup, reports the own value of a task function that returns after aborting the caller’s signal', async () => {
    const controller = new AbortController();
    const entries = asCompleted(
      [
        () => {
          controller.abort('stop');
          return 'own value';
        },
        () => 'never started',
      ],
      { signal: controller.signal, waitForCleanup: true },
    );
    expect(await takeAll(entries)).toStrictEqual([
      { key: 1, status: 'rejected', reason: 'stop' },
      { key: 0, status: 'fulfilled', value: 'own value' },
    ]);
  });

  it('with an already-aborted signal, calls no task function and reports every slot rejected with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    const task = vi.fn(() => 'never');
    const thenable = fulfillingThenable('never');
    const entries = asCompleted(
      [task, Promise.resolve('promise'), thenable, 'plain', Promise.reject(new Error('own'))],
      { signal: controller.signal },
    );
    expect(task).not.toHaveBeenCalled();
    const taken = await takeAll(entries);
    expect(taken.map((entry) => entry.key).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const entry of taken) {
      expect(entry).toStrictEqual({ key: entry.key, status: 'rejected', reason });
    }
    expect(thenable.calls).toBe(0);
    expect(task).not.toHaveBeenCalled();
  });

  it('with an already-aborted signal, keys the rejected entries of keyed input by key', async () => {
    const controller = new AbortController();
    controller.abort('already');
    expect(
      await takeAll(asCompleted(new Map([['k', 1]]), { signal: controller.signal })),
    ).toStrictEqual([{ key: 'k', status: 'rejected', reason: 'already' }]);
  });

  it('reports `undefined` as the reason when a signal-like aborts with undefined', async () => {
    const signal = fakeSignal();
    const running = signalKeeper();
    const entries = asCompleted([running.task], { signal });
    signal.abort(undefined);
    expect(await takeAll(entries)).toStrictEqual([
      { key: 0, status: 'rejected', reason: undefined },
    ]);
    expect(running.signal().reason).toMatchObject({ name: 'AbortError' });
  });
});

describe('asCompleted 5. entries are buffered until asked for', () => {
  it('keeps entries that finish before next() is called, none lost', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const entries = asCompleted([() => a.promise, () => b.promise]);
    b.resolve('b');
    a.resolve('a');
    await flushMicrotasks();
    expect(await takeAll(entries)).toStrictEqual([
      { key: 1, status: 'fulfilled', value: 'b' },
      { key: 0, status: 'fulfilled', value: 'a' },
    ]);
  });

  it('answers several next() calls made before any task settles in call order', async () => {
    const a = deferred<string>();
    const b = deferred<string>();
    const c = deferred<string>();
    const entries = asCompleted([() => a.promise, () => b.promise, () => c.promise]);
    const answered: Array<[call: number, key: unknown]> = [];
    const calls = [0, 1, 2].map((call) =>
      entries.next().then((step) => {
        answered.push([call, step.value?.key]);
      }),
    );
    c.resolve('c');
    await flushMicrotasks();
    a.resolve('a');
    await flushMicrotasks();
    b.resolve('b');
    await Promise.all(calls);
    expect(answered).toEqual([
      [0, 2],
      [1, 0],
      [2, 1],
    ]);
  });

  it('answers pending next() calls beyond the last entry with { done: true }', async () => {
    const a = deferred<string>();
    const entries = asCompleted([() => a.promise]);
    const first = entries.next();
    const second = entries.next();
    a.resolve('a');
    expect(await first).toStrictEqual({
      done: false,
      value: { key: 0, status: 'fulfilled', value: 'a' },
    });
    expect(await second).toStrictEqual(done);
  });

  it('limits running tasks, not buffered entries: with concurrency 2 and nobody reading, every task runs', async () => {
    const tasks = probe();
    const names = labels('t', 5);
    const entries = asCompleted(
      names.map((label) => tasks.task(label)),
      { concurrency: 2 },
    );
    for (const label of names) {
      tasks.resolve(label);
      await flushMicrotasks();
    }
    expect(tasks.started).toEqual(names);
    expect(tasks.running).toBe(0);
    expect(await takeAll(entries)).toStrictEqual(
      names.map((label, key) => ({ key, status: 'fulfilled', value: label })),
    );
  });
});

describe('asCompleted 6. the caller’s signal and the timer are released', () => {
  itInNode(
    'removes its listener from the caller’s signal once the last entry is delivered',
    async () => {
      const controller = new AbortController();
      const a = deferred<string>();
      const entries = asCompleted([() => a.promise], { signal: controller.signal });
      expect(abortListenerCount(controller.signal)).toBe(1);
      a.resolve('a');
      expect((await entries.next()).done).toBe(false);
      expect(abortListenerCount(controller.signal)).toBe(0);
    },
  );

  itInNode('removes its listener from the caller’s signal when the loop is left', async () => {
    const controller = new AbortController();
    const entries = asCompleted([() => never()], { signal: controller.signal });
    expect(abortListenerCount(controller.signal)).toBe(1);
    await entries.return();
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  itInNode(
    'with waitForCleanup, removes its listener as the loop is left, before cleanup ends',
    async () => {
      const controller = new AbortController();
      const cleanup = deferred<string>();
      const entries = asCompleted([() => cleanup.promise], {
        signal: controller.signal,
        waitForCleanup: true,
      });
      const returned = observe(entries.return());
      await flushMicrotasks();
      expect(returned.state.status).toBe('pending');
      expect(abortListenerCount(controller.signal)).toBe(0);
      cleanup.resolve('done');
      await flushMicrotasks();
      expect(returned.state.status).toBe('fulfilled');
    },
  );

  itInNode('puts one listener on a signal however many loops link to it', async () => {
    const controller = new AbortController();
    const loops = Array.from({ length: 20 }, () =>
      asCompleted([() => never()], { signal: controller.signal }),
    );
    expect(abortListenerCount(controller.signal)).toBe(1);
    for (const loop of loops) await loop.return();
    expect(abortListenerCount(controller.signal)).toBe(0);
  });

  it('removes its listener from a signal-like once the last entry is delivered', async () => {
    const signal = fakeSignal();
    const a = deferred<string>();
    const entries = asCompleted([() => a.promise], { signal });
    expect(signal.listeners.size).toBe(1);
    a.resolve('a');
    await entries.next();
    expect(signal.listeners.size).toBe(0);
  });

  it('clears its timer once the last entry is delivered', async () => {
    vi.useFakeTimers();
    const a = deferred<string>();
    const entries = asCompleted([() => a.promise], { timeout: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    a.resolve('a');
    expect((await entries.next()).done).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the loop is left', async () => {
    vi.useFakeTimers();
    const entries = asCompleted([() => never()], { timeout: 1_000 });
    expect(vi.getTimerCount()).toBe(1);
    await entries.return();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the loop is left by break, with waitForCleanup, before cleanup ends', async () => {
    vi.useFakeTimers();
    const cleanup = deferred<string>();
    const entries = asCompleted([() => cleanup.promise, 'first'], {
      timeout: 1_000,
      waitForCleanup: true,
    });
    expect(vi.getTimerCount()).toBe(1);
    const loop = (async () => {
      for await (const _entry of entries) break;
    })();
    await flushMicrotasks();
    expect(vi.getTimerCount()).toBe(0);
    cleanup.resolve('done');
    await loop;
  });
});

describe('asCompleted: no unhandled rejections', () => {
  it('leaves none when rejected entries are never taken because the loop is left', async () => {
    const reasons = await unhandledRejectionsDuring(async () => {
      const entries = asCompleted([
        Promise.reject(new Error('promise')),
        () => Promise.reject(new Error('function')),
        () => {
          throw new Error('thrown');
        },
        () => never(),
      ]);
      await entries.return();
    });
    expect(reasons).toEqual([]);
  });

  it('leaves none when tasks reject after the loop was left, with the abort reason or their own', async () => {
    const reasons = await unhandledRejectionsDuring(async () => {
      const late = deferred<string>();
      const entries = asCompleted([
        (signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
        late.promise,
      ]);
      await entries.return();
      late.reject(new Error('late'));
    });
    expect(reasons).toEqual([]);
  });

  it('leaves none with an already-aborted signal and rejected promises in the input', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const reasons = await unhandledRejectionsDuring(() => {
      asCompleted([Promise.reject(new Error('own'))], { signal: controller.signal });
    });
    expect(reasons).toEqual([]);
  });

  it('leaves none for a promise after a task function that aborts the caller’s signal during the start loop', async () => {
    const controller = new AbortController();
    const later = deferred<string>();
    const reasons = await unhandledRejectionsDuring(async () => {
      const entries = asCompleted(
        [
          () => {
            controller.abort('stop');
            return 0;
          },
          later.promise,
        ],
        { signal: controller.signal },
      );
      await takeAll(entries);
      later.reject(new Error('read, never awaited'));
    });
    expect(reasons).toEqual([]);
  });

  it('leaves none when a task function rejects after the caller’s abort was reported', async () => {
    const controller = new AbortController();
    const running = deferred<string>();
    const reasons = await unhandledRejectionsDuring(async () => {
      const entries = asCompleted([() => running.promise], { signal: controller.signal });
      controller.abort('stop');
      await takeAll(entries);
      running.reject(new Error('late'));
    });
    expect(reasons).toEqual([]);
  });
});
