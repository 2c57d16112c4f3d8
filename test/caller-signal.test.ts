import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { causeOf, fakeSignal, watchAbortListeners } from './support/fixtures';
import { abortListenerCount, itInNode } from './support/node-only';

afterEach(() => {
  vi.useRealTimers();
});

describe('Words: the call’s signal', () => {
  it('hands task functions an AbortSignal that is not the caller’s signal', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    await gather(
      [
        (s) => {
          signal = s;
        },
      ],
      { signal: controller.signal },
    );
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal).not.toBe(controller.signal);
  });

  it('never aborts the caller’s signal when a task fails', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const failure = new Error('fail');
    const call = gather(
      [
        (s) => {
          signal = s;
          return never();
        },
        () => Promise.reject(failure),
      ],
      { signal: controller.signal },
    );
    await expect(call).rejects.toBe(failure);
    expect(signal?.aborted).toBe(true);
    expect(controller.signal.aborted).toBe(false);
  });

  it('gives each call its own signal when calls share the caller’s signal', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const failing = gather([(s) => signals.push(s), () => Promise.reject(new Error('fail'))], {
      signal: controller.signal,
    });
    const healthy = gather([(s) => signals.push(s)], { signal: controller.signal });
    await expect(failing).rejects.toThrow('fail');
    await expect(healthy).resolves.toEqual([2]);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals[1]?.aborted).toBe(false);
  });
});

describe('gather 6. caller’s signal: already aborted', () => {
  it('rejects with the signal’s reason, the same object, and calls no task function', async () => {
    const controller = new AbortController();
    const reason = new Error('already');
    controller.abort(reason);
    const task = vi.fn();
    await expect(gather([task], { signal: controller.signal })).rejects.toBe(reason);
    expect(task).not.toHaveBeenCalled();
  });

  it('rejects with a reason of undefined, never taking it for "not aborted"', async () => {
    const signal = fakeSignal();
    signal.aborted = true;
    signal.reason = undefined;
    const task = vi.fn();
    await expect(gather([task], { signal })).rejects.toBeUndefined();
    expect(task).not.toHaveBeenCalled();
  });

  it('lets a read error of the input win over an already-aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    const readError = new Error('read');
    function* tasks() {
      yield 1;
      throw readError;
    }
    await expect(gather(tasks(), { signal: controller.signal })).rejects.toBe(readError);
  });

  it('treats `signal: null` as no signal', async () => {
    await expect(gather([() => 1], { signal: null })).resolves.toEqual([1]);
  });
});

describe('gather 6. caller’s signal: aborted later', () => {
  it('links before it calls the first task function', async () => {
    const controller = new AbortController();
    let abortedInside: boolean | undefined;
    const call = gather(
      [
        (signal) => {
          controller.abort('stop');
          abortedInside = signal.aborted;
        },
      ],
      { signal: controller.signal },
    );
    expect(abortedInside).toBe(true);
    await expect(call).rejects.toBe('stop');
  });

  it('aborts the call signal with the same reason object and rejects with it', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const call = gather(
      [
        (s) => {
          signal = s;
          return never();
        },
      ],
      { signal: controller.signal },
    );
    await flushMicrotasks();
    const reason = { custom: 'reason' };
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(signal?.reason).toBe(reason);
  });

  it('calls no later task function once a task aborts the caller’s signal during the start loop', async () => {
    const controller = new AbortController();
    const later = vi.fn();
    const call = gather(
      [
        () => {
          controller.abort('stop');
        },
        later,
      ],
      { signal: controller.signal },
    );
    expect(later).not.toHaveBeenCalled();
    await expect(call).rejects.toBe('stop');
  });

  it('rejects a nested gather with its parent’s AbortError when a sibling of the parent fails', async () => {
    const failure = new Error('sibling failed');
    let nested: Promise<unknown> | undefined;
    const outer = gather([
      (signal) => {
        nested = gather([() => never()], { signal });
        return nested;
      },
      () => Promise.reject(failure),
    ]);
    await expect(outer).rejects.toBe(failure);
    const reason: unknown = await nested?.catch((error: unknown) => error);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(causeOf(reason)).toBe(failure);
  });

  it('rejects while tasks are still running', async () => {
    const controller = new AbortController();
    const call = gather([() => never(), never()], { signal: controller.signal });
    controller.abort('stop');
    await expect(call).rejects.toBe('stop');
  });

  it('keeps its first failure when the caller aborts afterwards', async () => {
    const controller = new AbortController();
    const failure = new Error('first');
    let signal: AbortSignal | undefined;
    const call = gather(
      [
        (s) => {
          signal = s;
          return never();
        },
        () => Promise.reject(failure),
      ],
      { signal: controller.signal },
    );
    await expect(call).rejects.toBe(failure);
    controller.abort('too late');
    expect(causeOf(signal?.reason)).toBe(failure);
  });

  it('is not affected by the caller aborting after it has resolved', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    await gather(
      [
        (s) => {
          signal = s;
        },
      ],
      { signal: controller.signal },
    );
    controller.abort('too late');
    expect(signal?.aborted).toBe(false);
  });
});

describe('gather 6. caller’s signal: any signal-like object', () => {
  it('rejects with the reason a signal-like object holds when it aborts', async () => {
    const signal = fakeSignal();
    let callSignal: AbortSignal | undefined;
    const call = gather(
      [
        (s) => {
          callSignal = s;
          return never();
        },
      ],
      { signal },
    );
    const reason = new Error('fake abort');
    signal.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(callSignal?.reason).toBe(reason);
  });

  it('removes its listener from a signal-like object when it settles', async () => {
    const signal = fakeSignal();
    const running = deferred<number>();
    const call = gather([() => running.promise], { signal });
    expect(signal.listeners.size).toBe(1);
    running.resolve(1);
    await call;
    expect(signal.listeners.size).toBe(0);
  });

  it('puts one listener on a signal-like object however many calls link to it', async () => {
    const signal = fakeSignal();
    const running = deferred<number>();
    const calls = Array.from({ length: 5 }, () => gather([() => running.promise], { signal }));
    expect(signal.listeners.size).toBe(1);
    signal.abort('stop');
    for (const call of calls) await expect(call).rejects.toBe('stop');
  });

  it('works with gatherSettled', async () => {
    const signal = fakeSignal();
    const call = gatherSettled([() => never()], { signal });
    signal.abort('stop');
    await expect(call).resolves.toStrictEqual([{ status: 'rejected', reason: 'stop' }]);
  });
});

describe('gather 6. linking is O(1): one listener per signal, removed on settle', () => {
  itInNode('puts at most one listener on a signal however many calls link to it', async () => {
    const controller = new AbortController();
    const watch = watchAbortListeners(controller.signal);
    const running = deferred<number>();
    const calls = Array.from({ length: 20 }, () =>
      gather([() => running.promise], { signal: controller.signal }),
    );
    expect(abortListenerCount(controller.signal)).toBe(1);
    expect(watch.maxActive).toBe(1);
    expect(watch.added).toBe(1);
    running.resolve(1);
    await Promise.all(calls);
  });

  it('aborts every linked call through that one listener', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const calls = Array.from({ length: 3 }, () =>
      gather(
        [
          (s) => {
            signals.push(s);
            return never();
          },
        ],
        { signal: controller.signal },
      ),
    );
    const reason = new Error('stop');
    controller.abort(reason);
    for (const call of calls) await expect(call).rejects.toBe(reason);
    expect(signals.map((s) => s.reason)).toEqual([reason, reason, reason]);
  });

  itInNode(
    'keeps the listener while a linked call runs and removes it when the last one settles',
    async () => {
      const controller = new AbortController();
      const watch = watchAbortListeners(controller.signal);
      const first = deferred<number>();
      const second = deferred<number>();
      const firstCall = gather([() => first.promise], { signal: controller.signal });
      const secondCall = observe(gather([() => second.promise], { signal: controller.signal }));
      first.resolve(1);
      await firstCall;
      expect(abortListenerCount(controller.signal)).toBe(1);
      controller.abort('stop');
      await flushMicrotasks();
      expect(secondCall.state).toEqual({ status: 'rejected', reason: 'stop' });
      expect(abortListenerCount(controller.signal)).toBe(0);
      expect(watch.maxActive).toBe(1);
    },
  );

  const settlePaths: Array<[string, (signal: AbortSignal, abort: () => void) => Promise<unknown>]> =
    [
      ['fulfils', (signal) => gather([() => Promise.resolve(1)], { signal })],
      ['rejects with a task’s failure', (signal) => gather([() => Promise.reject(1)], { signal })],
      [
        'rejects because the caller aborted',
        (signal, abort) => {
          const call = gather([() => never()], { signal });
          abort();
          return call;
        },
      ],
      [
        'rejects because a task function threw',
        (signal) =>
          gather(
            [
              () => {
                throw new Error('thrown');
              },
            ],
            { signal },
          ),
      ],
      [
        'rejects because the input could not be read',
        (signal) =>
          gather(
            (function* () {
              yield 1;
              throw new Error('read');
            })(),
            { signal },
          ),
      ],
      [
        'resolves in gatherSettled',
        (signal) => gatherSettled([() => Promise.reject(1)], { signal }),
      ],
      [
        'resolves in gatherSettled because the caller aborted',
        (signal, abort) => {
          const call = gatherSettled([() => never()], { signal });
          abort();
          return call;
        },
      ],
    ];

  itInNode.each(settlePaths)(
    'holds no listener on the caller’s signal once the call %s',
    async (_name, run) => {
      const controller = new AbortController();
      const watch = watchAbortListeners(controller.signal);
      await run(controller.signal, () => controller.abort('stop')).catch(() => {});
      expect(abortListenerCount(controller.signal)).toBe(0);
      if (!controller.signal.aborted) expect(watch.active).toBe(0);
    },
  );

  itInNode(
    'holds no listener on the caller’s signal once the deadline has rejected the call',
    async () => {
      vi.useFakeTimers();
      const controller = new AbortController();
      const watch = watchAbortListeners(controller.signal);
      const call = observe(gather([() => never()], { signal: controller.signal, timeout: 10 }));
      await vi.advanceTimersByTimeAsync(10);
      expect(call.state.status).toBe('rejected');
      expect(abortListenerCount(controller.signal)).toBe(0);
      expect(watch.active).toBe(0);
    },
  );

  itInNode('holds no listener after a thousand calls have reused one signal', async () => {
    const controller = new AbortController();
    const watch = watchAbortListeners(controller.signal);
    for (let index = 0; index < 1000; index++) {
      await gather([() => index], { signal: controller.signal });
    }
    expect(abortListenerCount(controller.signal)).toBe(0);
    expect(watch.active).toBe(0);
  });

  itInNode(
    'links 10,000 nested gathers to their parent’s signal with one listener and no MaxListenersExceededWarning',
    async () => {
      const emitWarning = vi.spyOn(process, 'emitWarning');
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.name);
      process.on('warning', onWarning);
      try {
        const inner = deferred<number>();
        let parentSignal: AbortSignal | undefined;
        const outer = gather(
          Array.from({ length: 10_000 }, () => (signal: AbortSignal) => {
            parentSignal = signal;
            return gather([() => inner.promise], { signal });
          }),
        );
        if (parentSignal === undefined) throw new Error('no task function was called');
        expect(abortListenerCount(parentSignal)).toBeLessThanOrEqual(1);
        inner.resolve(7);
        const results = await outer;
        expect(results).toHaveLength(10_000);
        expect(results[9_999]).toEqual([7]);
        expect(abortListenerCount(parentSignal)).toBe(0);
        await flushMicrotasks();
        const maxListenerWarnings = emitWarning.mock.calls.filter((args) =>
          args.some((arg) => String(arg).includes('MaxListenersExceeded')),
        );
        expect(maxListenerWarnings).toEqual([]);
        expect(warnings.filter((name) => name === 'MaxListenersExceededWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
  );

  itInNode('aborts 10,000 gathers linked to one caller’s signal through one listener', async () => {
    const controller = new AbortController();
    const watch = watchAbortListeners(controller.signal);
    const calls = Array.from({ length: 10_000 }, () =>
      gather([() => never()], { signal: controller.signal }),
    );
    expect(watch.maxActive).toBe(1);
    controller.abort('stop');
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason === 'stop')).toBe(true);
    expect(abortListenerCount(controller.signal)).toBe(0);
  });
});
