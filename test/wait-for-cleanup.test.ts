import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather } from '../src/index';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';
import { manualThenable } from './support/fixtures';

afterEach(() => {
  vi.useRealTimers();
});

describe('gather 8. waiting for cleanup', () => {
  it('does not wait by default: rejects while a sibling task function is still running', async () => {
    const failure = new Error('fail');
    const call = gather([() => never(), () => Promise.reject(failure)]);
    await expect(call).rejects.toBe(failure);
  });

  it('does not wait with `waitForCleanup: false`', async () => {
    const failure = new Error('fail');
    const call = gather([() => never(), () => Promise.reject(failure)], { waitForCleanup: false });
    await expect(call).rejects.toBe(failure);
  });

  it('after a failure, settles only once every started task function has settled', async () => {
    const failure = new Error('fail');
    const cleanup = deferred();
    const call = observe(
      gather([() => cleanup.promise, () => Promise.reject(failure)], { waitForCleanup: true }),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.resolve();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
  });

  it('rejects with the same reason as without it when the siblings reject with the abort reason', async () => {
    const failure = new Error('fail');
    const call = gather(
      [
        (signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason));
          }),
        () => Promise.reject(failure),
      ],
      { waitForCleanup: true },
    );
    await expect(call).rejects.toBe(failure);
  });

  it('keeps the first failure when a sibling fails on its own while it waits', async () => {
    const failure = new Error('first');
    const sibling = deferred();
    const call = gather([() => sibling.promise, () => Promise.reject(failure)], {
      waitForCleanup: true,
    });
    await flushMicrotasks();
    sibling.reject(new Error('second'));
    await expect(call).rejects.toBe(failure);
  });

  it('after a task function throws during the start loop, waits for the ones started before it', async () => {
    const failure = new Error('fail');
    const cleanup = deferred();
    const call = observe(
      gather(
        [
          () => cleanup.promise,
          () => {
            throw failure;
          },
        ],
        { waitForCleanup: true },
      ),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.resolve();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
  });

  it('waits for a task function that returns a promise after aborting the caller’s signal itself', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const cleanup = deferred();
    const call = observe(
      gather(
        [
          () => {
            controller.abort(reason);
            return cleanup.promise;
          },
        ],
        { signal: controller.signal, waitForCleanup: true },
      ),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.resolve();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason });
  });

  it('waits for task functions of a mixed input (plain values, promises and functions)', async () => {
    const failure = new Error('fail');
    const cleanup = deferred();
    const call = observe(
      gather(
        [1, Promise.resolve(2), () => cleanup.promise, () => 'sync', () => Promise.reject(failure)],
        {
          waitForCleanup: true,
        },
      ),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.resolve();
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
  });

  it('rejects at once with an already-aborted caller signal, as there is nothing to wait for', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    controller.abort(reason);
    const task = vi.fn(() => 1);
    await expect(gather([task], { signal: controller.signal, waitForCleanup: true })).rejects.toBe(
      reason,
    );
    await expect(gather([], { signal: controller.signal, waitForCleanup: true })).rejects.toBe(
      reason,
    );
    expect(task).not.toHaveBeenCalled();
  });

  it('stays pending while a started task function never settles', async () => {
    const call = observe(
      gather([() => never(), () => Promise.reject(new Error('fail'))], { waitForCleanup: true }),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
  });

  it('waits for a thenable a task function returned', async () => {
    const failure = new Error('fail');
    const returned = manualThenable<string>();
    const call = observe(
      gather([() => returned, () => Promise.reject(failure)], { waitForCleanup: true }),
    );
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    returned.resolve('done');
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason: failure });
  });

  it('does not wait for promise and thenable tasks', async () => {
    const failure = new Error('fail');
    const call = gather([never(), manualThenable<string>(), () => Promise.reject(failure)], {
      waitForCleanup: true,
    });
    await expect(call).rejects.toBe(failure);
  });

  it('does not wait for task functions that returned or threw synchronously', async () => {
    const failure = new Error('fail');
    const call = gather(
      [
        () => 'returned',
        () => {
          throw failure;
        },
      ],
      { waitForCleanup: true },
    );
    await expect(call).rejects.toBe(failure);
  });

  it('does not wait for task functions it never called', async () => {
    const failure = new Error('fail');
    const notCalled = vi.fn(() => never());
    const call = gather(
      [
        () => {
          throw failure;
        },
        notCalled,
      ],
      { waitForCleanup: true },
    );
    await expect(call).rejects.toBe(failure);
    expect(notCalled).not.toHaveBeenCalled();
  });

  it('after the caller aborts, waits for running task functions and rejects with the caller’s reason', async () => {
    const controller = new AbortController();
    const cleanup = deferred();
    const call = observe(
      gather([() => cleanup.promise], { signal: controller.signal, waitForCleanup: true }),
    );
    const reason = new Error('stop');
    controller.abort(reason);
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    cleanup.reject(reason);
    await flushMicrotasks();
    expect(call.state).toEqual({ status: 'rejected', reason });
  });

  it('after the deadline, waits for running task functions and rejects with the TimeoutError', async () => {
    vi.useFakeTimers();
    const cleanup = deferred<string>();
    let signal: AbortSignal | undefined;
    const call = observe(
      gather(
        [
          (s) => {
            signal = s;
            return cleanup.promise;
          },
        ],
        { timeout: 10, waitForCleanup: true },
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(signal?.aborted).toBe(true);
    expect(call.state.status).toBe('pending');
    cleanup.resolve('finished anyway');
    await vi.advanceTimersByTimeAsync(0);
    expect(call.state.status).toBe('rejected');
    const reason = call.state.status === 'rejected' ? call.state.reason : undefined;
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(reason).toBe(signal?.reason);
  });

  it('resolves as usual when every task fulfils', async () => {
    await expect(gather([() => Promise.resolve(1), 2], { waitForCleanup: true })).resolves.toEqual([
      1, 2,
    ]);
  });
});
