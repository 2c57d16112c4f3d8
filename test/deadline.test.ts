import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gather, gatherSettled } from '../src/index';
import { deferred, never, observe } from './support/deferred';

/** Untyped access, for arguments the public types rightly refuse. */
const gatherAny = gather as unknown as (tasks: unknown, options?: unknown) => Promise<unknown>;

const MAX_TIMER = 2 ** 31 - 1;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function expectTimeoutError(reason: unknown): void {
  expect(reason).toBeInstanceOf(DOMException);
  expect(reason).toMatchObject({ name: 'TimeoutError' });
}

describe('gather 7. deadline: expiry', () => {
  it('rejects with a "TimeoutError" and aborts the call signal with it', async () => {
    let signal: AbortSignal | undefined;
    const call = observe(
      gather(
        [
          (s) => {
            signal = s;
            return never();
          },
        ],
        { timeout: 100 },
      ),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(call.state.status).toBe('rejected');
    const reason = call.state.status === 'rejected' ? call.state.reason : undefined;
    expectTimeoutError(reason);
    expect(signal?.reason).toBe(reason);
  });

  it('does not expire a millisecond early', async () => {
    const call = observe(gather([() => never()], { timeout: 100 }));
    await vi.advanceTimersByTimeAsync(99);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state.status).toBe('rejected');
  });

  it('counts one deadline from the call, not from each task’s settlement', async () => {
    const early = deferred<number>();
    const call = observe(gather([() => early.promise, () => never()], { timeout: 100 }));
    await vi.advanceTimersByTimeAsync(60);
    early.resolve(1);
    await vi.advanceTimersByTimeAsync(40);
    expect(call.state.status).toBe('rejected');
  });

  it('resolves when every task fulfils before the deadline', async () => {
    const slow = deferred<number>();
    const call = observe(gather([() => slow.promise], { timeout: 100 }));
    await vi.advanceTimersByTimeAsync(99);
    slow.resolve(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(call.state).toEqual({ status: 'fulfilled', value: [1] });
  });

  it('arms the deadline before it calls the first task function', async () => {
    const later = vi.fn();
    let reasonInside: unknown;
    const call = gather(
      [
        (signal) => {
          vi.advanceTimersByTime(50);
          reasonInside = signal.reason;
        },
        later,
      ],
      { timeout: 50 },
    );
    expectTimeoutError(reasonInside);
    expect(later).not.toHaveBeenCalled();
    await expect(call).rejects.toBe(reasonInside);
  });

  it('sets no timer and never expires with a timeout of Infinity', async () => {
    const call = observe(gather([() => never()], { timeout: Number.POSITIVE_INFINITY }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * MAX_TIMER);
    expect(call.state.status).toBe('pending');
  });

  it('sets no timer without a timeout', async () => {
    const call = observe(gather([() => never()], { timeout: undefined }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(MAX_TIMER);
    expect(call.state.status).toBe('pending');
  });
});

describe('gather 7. deadline: a timeout of 0 behaves as AbortSignal.timeout(0)', () => {
  it('still calls the task functions, with a signal not yet aborted', async () => {
    const aborted: boolean[] = [];
    const call = gather(
      [(signal) => aborted.push(signal.aborted), (signal) => aborted.push(signal.aborted)],
      { timeout: 0 },
    );
    expect(aborted).toEqual([false, false]);
    await call;
  });

  it('lets work that settles in microtasks win before the timer fires', async () => {
    const call = gather([() => 1, async () => 2, Promise.resolve(3)], { timeout: 0 });
    await expect(call).resolves.toEqual([1, 2, 3]);
  });

  it('rejects with a "TimeoutError" when the timer fires and work is still running', async () => {
    const call = observe(gather([() => never()], { timeout: 0 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(call.state.status).toBe('rejected');
    expectTimeoutError(call.state.status === 'rejected' ? call.state.reason : undefined);
  });
});

describe('gather 7. deadline: values above 2³¹−1 ms', () => {
  it.each([
    ['2³¹', 2 ** 31],
    ['2³¹ + 5000', 2 ** 31 + 5000],
    ['three times 2³¹ + 7', 3 * 2 ** 31 + 7],
  ])('honours a timeout of %s ms, never firing early', async (_name, timeout) => {
    const call = observe(gather([() => never()], { timeout }));
    await vi.advanceTimersByTimeAsync(MAX_TIMER);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(timeout - 1 - MAX_TIMER);
    expect(call.state.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(call.state.status).toBe('rejected');
    expectTimeoutError(call.state.status === 'rejected' ? call.state.reason : undefined);
  });

  it('clears a re-armed timer once the call has settled', async () => {
    const slow = deferred<number>();
    const call = gather([() => slow.promise], { timeout: 3 * 2 ** 31 });
    await vi.advanceTimersByTimeAsync(MAX_TIMER + 10);
    slow.resolve(1);
    await expect(call).resolves.toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('gather 7. deadline: cleared once the call has settled', () => {
  it('clears the timer when the call fulfils', async () => {
    const call = gather([() => Promise.resolve(1)], { timeout: 1000 });
    expect(vi.getTimerCount()).toBe(1);
    await call;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer when a task fails', async () => {
    await expect(
      gather([() => Promise.reject(new Error('fail'))], { timeout: 1000 }),
    ).rejects.toThrow('fail');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer when a task function throws during the start loop', async () => {
    const call = gather(
      [
        () => {
          throw new Error('thrown');
        },
      ],
      { timeout: 1000 },
    );
    await expect(call).rejects.toThrow('thrown');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer when the caller aborts', async () => {
    const controller = new AbortController();
    const call = gather([() => never()], { timeout: 1000, signal: controller.signal });
    controller.abort('stop');
    await expect(call).rejects.toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer after the deadline has fired', async () => {
    const call = observe(gather([() => never()], { timeout: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    expect(call.state.status).toBe('rejected');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears the timer when gatherSettled resolves', async () => {
    await gatherSettled([() => Promise.reject(new Error('fail'))], { timeout: 1000 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sets no timer when the caller’s signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('already');
    await expect(gather([() => 1], { timeout: 1000, signal: controller.signal })).rejects.toBe(
      'already',
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sets no timer when the input cannot be read', async () => {
    const readError = new Error('read');
    function* tasks() {
      yield 1;
      throw readError;
    }
    await expect(gather(tasks(), { timeout: 1000 })).rejects.toBe(readError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sets no timer when an option is invalid', async () => {
    await expect(gatherAny([() => 1], { timeout: 1000, waitForCleanup: 'yes' })).rejects.toThrow(
      TypeError,
    );
    expect(vi.getTimerCount()).toBe(0);
  });
});
