import { describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { deferred, flushMicrotasks } from './support/deferred';
import {
  fulfillingThenable,
  manualThenable,
  rejectingThenable,
  unhandledRejectionsDuring,
} from './support/fixtures';

/** Untyped access, for arguments the public types rightly refuse. */
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;

/** A thenable whose `then` is a getter, counting how many times it is read. */
function countedThen(value: unknown) {
  let reads = 0;
  const thenable = {};
  Object.defineProperty(thenable, 'then', {
    get() {
      reads += 1;
      return (onFulfilled: (value: unknown) => void) => onFulfilled(value);
    },
  });
  return {
    thenable: thenable as PromiseLike<unknown>,
    get reads() {
      return reads;
    },
  };
}

function thenableCalling(
  body: (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void,
): PromiseLike<unknown> {
  // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this helper.
  return { then: body } as unknown as PromiseLike<unknown>;
}

describe('Words: thenables are adopted as Promise.resolve adopts them', () => {
  it('reads `then` once from a thenable task', async () => {
    const counted = countedThen('value');
    await expect(gather([counted.thenable])).resolves.toEqual(['value']);
    expect(counted.reads).toBe(1);
  });

  it('reads `then` once from a thenable a task function returns', async () => {
    const counted = countedThen('value');
    await expect(gather([() => counted.thenable])).resolves.toEqual(['value']);
    expect(counted.reads).toBe(1);
  });

  it('calls `then` of a thenable task once', async () => {
    const task = fulfillingThenable('task');
    const returned = fulfillingThenable('returned');
    await expect(gather([task, () => returned])).resolves.toEqual(['task', 'returned']);
    expect(task.calls).toBe(1);
    expect(returned.calls).toBe(1);
  });

  it('counts only the first call of either callback: fulfilled, then rejected', async () => {
    const thenable = thenableCalling((resolve, reject) => {
      resolve('first');
      reject(new Error('second'));
      resolve('third');
    });
    await expect(gather([thenable])).resolves.toEqual(['first']);
  });

  it('counts only the first call of either callback: rejected, then fulfilled', async () => {
    const failure = new Error('first');
    const thenable = thenableCalling((resolve, reject) => {
      reject(failure);
      resolve('second');
    });
    await expect(gather([() => thenable])).rejects.toBe(failure);
  });

  it('ignores a throw after a callback', async () => {
    const thenable = thenableCalling((resolve) => {
      resolve('value');
      throw new Error('ignored');
    });
    await expect(gather([thenable])).resolves.toEqual(['value']);
  });

  it('rejects with what `then` throws before calling back', async () => {
    const failure = new Error('then threw');
    const thenable = thenableCalling(() => {
      throw failure;
    });
    await expect(gather([thenable])).rejects.toBe(failure);
  });

  it('rejects with what reading `then` throws', async () => {
    const failure = new Error('getter threw');
    const thenable = {};
    Object.defineProperty(thenable, 'then', {
      get() {
        throw failure;
      },
    });
    await expect(gather([() => thenable])).rejects.toBe(failure);
  });

  it('adopts a thenable that a thenable fulfils with', async () => {
    const inner = fulfillingThenable('inner');
    const outer = thenableCalling((resolve) => resolve(inner));
    await expect(gather([outer])).resolves.toEqual(['inner']);
  });

  it('does not call `then` synchronously during the call, as Promise.resolve does not', async () => {
    const task = fulfillingThenable('task');
    const returned = fulfillingThenable('returned');
    const call = gather([task, () => returned]);
    expect(task.calls).toBe(0);
    expect(returned.calls).toBe(0);
    await expect(call).resolves.toEqual(['task', 'returned']);
  });

  it('runs no callback inside the start loop: a synchronously rejecting thenable stops no later start', async () => {
    const later = vi.fn(() => 'later');
    const failure = new Error('sync rejection');
    const call = gather([() => rejectingThenable(failure), rejectingThenable(failure), later]);
    expect(later).toHaveBeenCalledTimes(1);
    await expect(call).rejects.toBe(failure);
  });
});

describe('Words: a native promise the call has read always gets a rejection handler', () => {
  it('when a read error stops the input part way', async () => {
    const readError = new Error('read');
    const reported = await unhandledRejectionsDuring(async () => {
      function* tasks() {
        yield Promise.reject(new Error('read before the error'));
        throw readError;
      }
      await expect(gather(tasks())).rejects.toBe(readError);
    });
    expect(reported).toEqual([]);
  });

  it('when a getter throws part way through keyed input', async () => {
    const readError = new Error('getter');
    const reported = await unhandledRejectionsDuring(async () => {
      const input = {
        a: Promise.reject(new Error('read before the error')),
        get b(): unknown {
          throw readError;
        },
      };
      await expect(gather(input)).rejects.toBe(readError);
    });
    expect(reported).toEqual([]);
  });

  it('when the caller’s signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const reported = await unhandledRejectionsDuring(async () => {
      await expect(
        gather([Promise.reject(new Error('own')), Promise.resolve(1)], {
          signal: controller.signal,
        }),
      ).rejects.toBe('already');
    });
    expect(reported).toEqual([]);
  });

  it('when the caller’s signal is already aborted, in gatherSettled', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const reported = await unhandledRejectionsDuring(async () => {
      await gatherSettled({ a: Promise.reject(new Error('own')) }, { signal: controller.signal });
    });
    expect(reported).toEqual([]);
  });

  it('when a task function throws before the start loop reaches the promise', async () => {
    const failure = new Error('thrown');
    const reported = await unhandledRejectionsDuring(async () => {
      await expect(
        gather([
          () => {
            throw failure;
          },
          Promise.reject(new Error('after the throw')),
        ]),
      ).rejects.toBe(failure);
    });
    expect(reported).toEqual([]);
  });

  it('when the caller aborts during the start loop before it reaches the promise', async () => {
    const controller = new AbortController();
    const reported = await unhandledRejectionsDuring(async () => {
      await expect(
        gather(
          [
            () => {
              controller.abort('stop');
            },
            Promise.reject(new Error('after the abort')),
          ],
          { signal: controller.signal },
        ),
      ).rejects.toBe('stop');
    });
    expect(reported).toEqual([]);
  });

  it('when it rejects after the call has failed', async () => {
    const failure = new Error('first');
    const late = deferred();
    const reported = await unhandledRejectionsDuring(async () => {
      await expect(gather([Promise.reject(failure), late.promise])).rejects.toBe(failure);
      late.reject(new Error('late'));
    });
    expect(reported).toEqual([]);
  });
});

describe('Words: a lazy thenable is never started on a path that starts nothing', () => {
  it('when the caller’s signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const lazy = manualThenable<string>();
    await expect(gather([lazy], { signal: controller.signal })).rejects.toBe('already');
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('when the caller’s signal is already aborted, in gatherSettled', async () => {
    const controller = new AbortController();
    controller.abort('already');
    const lazy = manualThenable<string>();
    await gatherSettled({ lazy }, { signal: controller.signal });
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('when a read error stops the input part way', async () => {
    const readError = new Error('read');
    const lazy = manualThenable<string>();
    function* tasks() {
      yield lazy;
      throw readError;
    }
    await expect(gather(tasks())).rejects.toBe(readError);
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('when an option is invalid', async () => {
    const lazy = manualThenable<string>();
    await expect(gatherAny([lazy], { timeout: -1 })).rejects.toThrow(RangeError);
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('when the start loop reaches it after a task function threw', async () => {
    const failure = new Error('thrown');
    const lazy = manualThenable<string>();
    const call = gather([
      () => {
        throw failure;
      },
      lazy,
    ]);
    await expect(call).rejects.toBe(failure);
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('when the start loop reaches it after the caller aborted', async () => {
    const controller = new AbortController();
    const lazy = manualThenable<string>();
    const call = gather(
      [
        () => {
          controller.abort('stop');
        },
        lazy,
      ],
      { signal: controller.signal },
    );
    await expect(call).rejects.toBe('stop');
    await flushMicrotasks();
    expect(lazy.calls).toBe(0);
  });

  it('but is started, once, when the call awaits it', async () => {
    const lazy = manualThenable<string>();
    const call = gather([lazy]);
    await flushMicrotasks();
    expect(lazy.calls).toBe(1);
    lazy.resolve('value');
    await expect(call).resolves.toEqual(['value']);
  });
});
