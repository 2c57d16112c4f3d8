import { describe, expect, it, vi } from 'vitest';
import { gather, isolate } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { fulfillingThenable, unhandledRejectionsDuring } from './support/fixtures';

describe('isolate: the task function it returns', () => {
  it('calls a task function with the signal it is given', async () => {
    const task = vi.fn((_signal?: AbortSignal) => 'value');
    const signal = new AbortController().signal;
    await isolate(task)(signal);
    expect(task).toHaveBeenCalledTimes(1);
    expect(task.mock.calls[0]?.[0]).toBe(signal);
  });

  it('returns a promise even when the task returns synchronously', () => {
    const result = isolate(() => 1)();
    expect(result).toBeInstanceOf(Promise);
    return result;
  });

  it('does not throw synchronously when the task function throws', async () => {
    const isolated = isolate(() => {
      throw new Error('sync');
    });
    let result: Promise<unknown> | undefined;
    expect(() => {
      result = isolated();
    }).not.toThrow();
    await expect(result).resolves.toBeUndefined();
  });
});

describe('isolate 1. success', () => {
  it('resolves with the value of a task function', async () => {
    await expect(isolate(async () => 'value')()).resolves.toBe('value');
  });

  it('resolves with the value of a promise', async () => {
    await expect(isolate(Promise.resolve('value'))()).resolves.toBe('value');
  });

  it('resolves with a plain value', async () => {
    await expect(isolate('value')()).resolves.toBe('value');
  });

  it('resolves with the value of a thenable', async () => {
    await expect(isolate(fulfillingThenable('value'))()).resolves.toBe('value');
  });

  it('does not call onError on success', async () => {
    const onError = vi.fn();
    await isolate(() => 1, { onError })();
    expect(onError).not.toHaveBeenCalled();
  });

  it('resolves with the task’s value even when the signal was aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(isolate(() => 'value')(controller.signal)).resolves.toBe('value');
  });
});

describe('isolate 2. failure', () => {
  it('calls onError as a method of the options, as options.onError(error) does', async () => {
    const options = {
      fallback: 'fallback',
      seen: undefined as unknown,
      onError(this: { seen: unknown }, error: unknown) {
        this.seen = error;
      },
    };
    const failure = new Error('no');
    await isolate(() => Promise.reject(failure), options)();
    expect(options.seen).toBe(failure);
  });

  it('resolves with undefined by default when the task rejects', async () => {
    await expect(isolate(() => Promise.reject(new Error('no')))()).resolves.toBeUndefined();
  });

  it('resolves with the fallback when the task function throws synchronously', async () => {
    const isolated = isolate(
      () => {
        throw new Error('sync');
      },
      { fallback: 'fallback' },
    );
    await expect(isolated()).resolves.toBe('fallback');
  });

  it('resolves with the fallback when a promise task rejects', async () => {
    await expect(
      isolate(Promise.reject(new Error('no')), { fallback: 'fallback' })(),
    ).resolves.toBe('fallback');
  });

  it('calls onError once with the very failure', async () => {
    const failure = new Error('no');
    const onError = vi.fn();
    await isolate(() => Promise.reject(failure), { onError })();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]).toEqual([failure]);
    expect(onError.mock.calls[0]?.[0]).toBe(failure);
  });

  it('treats a rejection with undefined as a failure', async () => {
    const onError = vi.fn();
    const result = await isolate(() => Promise.reject(undefined), { onError, fallback: 'fb' })();
    expect(onError).toHaveBeenCalledWith(undefined);
    expect(result).toBe('fb');
  });

  it('awaits the result of onError before resolving', async () => {
    const handled = deferred();
    const isolated = observe(
      isolate(() => Promise.reject(new Error('no')), {
        onError: () => handled.promise,
        fallback: 'fb',
      })(),
    );
    await flushMicrotasks();
    expect(isolated.state.status).toBe('pending');
    handled.resolve();
    await flushMicrotasks();
    expect(isolated.state).toEqual({ status: 'fulfilled', value: 'fb' });
  });

  it('ignores the value onError returns', async () => {
    const result = await isolate(() => Promise.reject(new Error('no')), {
      onError: () => 'ignored',
      fallback: 'fb',
    })();
    expect(result).toBe('fb');
  });

  it('rejects with what onError throws', async () => {
    const rethrown = new Error('not contained');
    const isolated = isolate(() => Promise.reject(new Error('no')), {
      onError: () => {
        throw rethrown;
      },
      fallback: 'fb',
    });
    await expect(isolated()).rejects.toBe(rethrown);
  });

  it('rejects with what onError rejects with', async () => {
    const rethrown = new Error('not contained');
    const isolated = isolate(() => Promise.reject(new Error('no')), {
      onError: () => Promise.reject(rethrown),
    });
    await expect(isolated()).rejects.toBe(rethrown);
  });

  it('returns a function fallback without calling it', async () => {
    const fallback = vi.fn(() => 'called');
    const result = await isolate(() => Promise.reject(new Error('no')), { fallback })();
    expect(result).toBe(fallback);
    expect(fallback).not.toHaveBeenCalled();
  });

  it('adopts a thenable fallback', async () => {
    const result = await isolate(() => Promise.reject(new Error('no')), {
      fallback: fulfillingThenable('adopted'),
    })();
    expect(result).toBe('adopted');
  });

  it('adopts a promise fallback', async () => {
    const result = await isolate(() => Promise.reject(new Error('no')), {
      fallback: Promise.resolve('adopted'),
    })();
    expect(result).toBe('adopted');
  });

  it('resolves with a fallback of undefined or null as given', async () => {
    await expect(
      isolate(() => Promise.reject(new Error('no')), { fallback: null })(),
    ).resolves.toBeNull();
    await expect(
      isolate(() => Promise.reject(new Error('no')), { fallback: undefined })(),
    ).resolves.toBeUndefined();
  });
});

describe('isolate 3. cancellation is not a failure', () => {
  it('rejects with the failure when the signal is aborted as the failure is observed', async () => {
    const controller = new AbortController();
    const failure = new Error('aborted work');
    const running = deferred();
    const onError = vi.fn();
    const isolated = isolate(() => running.promise, { onError, fallback: 'fb' })(controller.signal);
    controller.abort(new Error('reason'));
    running.reject(failure);
    await expect(isolated).rejects.toBe(failure);
    expect(onError).not.toHaveBeenCalled();
  });

  it('rejects with a synchronous throw when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const failure = new Error('thrown');
    const isolated = isolate(
      () => {
        throw failure;
      },
      { fallback: 'fb' },
    );
    await expect(isolated(controller.signal)).rejects.toBe(failure);
  });

  it('contains a failure observed while the signal is not aborted', async () => {
    const controller = new AbortController();
    await expect(
      isolate(() => Promise.reject(new Error('no')), { fallback: 'fb' })(controller.signal),
    ).resolves.toBe('fb');
  });

  it('still contains a failure when the signal aborts while onError runs', async () => {
    const controller = new AbortController();
    const handled = deferred();
    const isolated = isolate(() => Promise.reject(new Error('no')), {
      onError: () => handled.promise,
      fallback: 'fb',
    })(controller.signal);
    await flushMicrotasks();
    controller.abort();
    handled.resolve();
    await expect(isolated).resolves.toBe('fb');
  });

  it('counts every failure as a failure when called without a signal, an AbortError included', async () => {
    const abortError = new DOMException('aborted', 'AbortError');
    await expect(isolate(() => Promise.reject(abortError), { fallback: 'fb' })()).resolves.toBe(
      'fb',
    );
  });
});

describe('isolate 4. inside gather', () => {
  it('never cancels its siblings when onError does not throw', async () => {
    let signal: AbortSignal | undefined;
    const sibling = deferred<string>();
    const call = gather([
      isolate(() => Promise.reject(new Error('no')), { fallback: 'fb' }),
      (s) => {
        signal = s;
        return sibling.promise;
      },
    ]);
    await flushMicrotasks();
    expect(signal?.aborted).toBe(false);
    sibling.resolve('sibling');
    await expect(call).resolves.toEqual(['fb', 'sibling']);
  });

  it('cancels its siblings with what onError throws', async () => {
    const rethrown = new Error('rethrown');
    let signal: AbortSignal | undefined;
    const call = gather([
      isolate(() => Promise.reject(new Error('no')), {
        onError: () => {
          throw rethrown;
        },
      }),
      (s) => {
        signal = s;
        return never();
      },
    ]);
    await expect(call).rejects.toBe(rethrown);
    expect(signal?.aborted).toBe(true);
  });

  it('receives the call signal from gather', async () => {
    const task = vi.fn((_signal?: AbortSignal) => 1);
    let callSignal: AbortSignal | undefined;
    await gather([
      isolate(task),
      (s) => {
        callSignal = s;
      },
    ]);
    expect(task.mock.calls[0]?.[0]).toBe(callSignal);
  });

  it('lets a failure through once the call is aborted by a sibling', async () => {
    const first = new Error('first');
    const onError = vi.fn();
    const call = gather([
      isolate(
        (signal?: AbortSignal) =>
          new Promise((_resolve, reject) => {
            signal?.addEventListener('abort', () => reject(new Error('cancelled')));
          }),
        { onError },
      ),
      () => Promise.reject(first),
    ]);
    await expect(call).rejects.toBe(first);
    await flushMicrotasks();
    expect(onError).not.toHaveBeenCalled();
  });
});

describe('isolate 5. isolate(promise) attaches its handlers at once', () => {
  it('never lets a rejected promise isolated before its gather runs be reported unhandled', async () => {
    const isolated = isolate(Promise.reject(new Error('early')), { fallback: 'fb' });
    // A real macrotask: Node reports unhandled rejections before it runs.
    await flushMicrotasks();
    await expect(gather([isolated])).resolves.toEqual(['fb']);
  });

  it('contains the rejection of an isolated promise that is never run', async () => {
    const reported = await unhandledRejectionsDuring(() => {
      isolate(Promise.reject(new Error('never run')));
    });
    expect(reported).toEqual([]);
  });
});
