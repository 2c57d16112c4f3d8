import { afterEach, describe, expect, it, vi } from 'vitest';
import { gather } from '../src/index';
import { never } from './support/deferred';

/** Runs a call that fails with `failure` and returns the reason its signal was aborted with. */
async function abortReasonFor(failure: unknown, run: typeof gather = gather): Promise<unknown> {
  let signal: AbortSignal | undefined;
  const call = run([
    (s) => {
      signal = s;
      return never();
    },
    () => Promise.reject(failure),
  ]);
  await expect(call).rejects.toBe(failure);
  expect(signal?.aborted).toBe(true);
  return signal?.reason;
}

/** Runs a call that hits its deadline and returns the reason it rejected with. */
async function timeoutReasonFor(run: typeof gather = gather): Promise<unknown> {
  let signal: AbortSignal | undefined;
  const call = run(
    [
      (s) => {
        signal = s;
        return never();
      },
    ],
    { timeout: 10 },
  );
  const rejection = call.then(
    () => {
      throw new Error('expected the deadline to reject the call');
    },
    (reason: unknown) => reason,
  );
  await vi.advanceTimersByTimeAsync(10);
  const reason = await rejection;
  expect(signal?.reason).toBe(reason);
  return reason;
}

function ownCause(value: unknown): { present: boolean; value: unknown } {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return { present: false, value: undefined };
  }
  const descriptor = Object.getOwnPropertyDescriptor(value, 'cause');
  return { present: descriptor !== undefined, value: descriptor?.value };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Words: abort errors, "AbortError"', () => {
  it('aborts the call signal with a DOMException named "AbortError", as AbortController.abort() creates', async () => {
    const reason = await abortReasonFor(new Error('fail'));
    const reference = (() => {
      const controller = new AbortController();
      controller.abort();
      return controller.signal.reason as DOMException;
    })();
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError', code: reference.code });
  });

  it('gives the AbortError an own `cause` property holding the failure', async () => {
    const failure = new Error('fail');
    const reason = await abortReasonFor(failure);
    expect(ownCause(reason)).toEqual({ present: true, value: failure });
    expect(ownCause(reason).value).toBe(failure);
  });

  it('defines `cause` even when the failure is undefined', async () => {
    const reason = await abortReasonFor(undefined);
    expect(ownCause(reason)).toEqual({ present: true, value: undefined });
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['0', 0],
    ['an empty string', ''],
    ['false', false],
    ['NaN', Number.NaN],
    ['a symbol', Symbol('reason')],
  ])(
    'takes %s as a failure reason: rejects with it and makes it the cause',
    async (_name, failure) => {
      const reason = await abortReasonFor(failure);
      expect(ownCause(reason)).toEqual({ present: true, value: failure });
    },
  );

  it('never takes undefined as "no failure": a task that throws undefined fails the call', async () => {
    const later = vi.fn();
    const call = gather([
      () => {
        throw undefined;
      },
      later,
    ]);
    await expect(call).rejects.toBeUndefined();
    expect(later).not.toHaveBeenCalled();
  });

  it('creates a new AbortError for every failing call', async () => {
    const first = await abortReasonFor(new Error('first'));
    const second = await abortReasonFor(new Error('second'));
    expect(second).not.toBe(first);
  });
});

describe('Words: abort errors, "TimeoutError"', () => {
  it('aborts with a DOMException named "TimeoutError" on the deadline, as AbortSignal.timeout does', async () => {
    vi.useFakeTimers();
    const reason = await timeoutReasonFor();
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError', code: DOMException.TIMEOUT_ERR });
  });

  it('gives the TimeoutError an own `cause` of undefined', async () => {
    vi.useFakeTimers();
    const reason = await timeoutReasonFor();
    expect(ownCause(reason)).toEqual({ present: true, value: undefined });
  });
});

describe('Words: abort errors where DOMException does not exist', () => {
  async function loadWithoutDOMException(): Promise<typeof gather> {
    vi.resetModules();
    vi.stubGlobal('DOMException', undefined);
    const module = await import('../src/index');
    return module.gather;
  }

  it('aborts with an Error named "AbortError" with an own `cause`', async () => {
    const isolatedGather = await loadWithoutDOMException();
    const failure = new Error('fail');
    const reason = await abortReasonFor(failure, isolatedGather);
    expect(reason).toBeInstanceOf(Error);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(ownCause(reason)).toEqual({ present: true, value: failure });
  });

  it('defines `cause` on the Error even when the failure is undefined', async () => {
    const isolatedGather = await loadWithoutDOMException();
    const reason = await abortReasonFor(undefined, isolatedGather);
    expect(reason).toBeInstanceOf(Error);
    expect(ownCause(reason)).toEqual({ present: true, value: undefined });
  });

  it('times out with an Error named "TimeoutError" with an own `cause` of undefined', async () => {
    vi.useFakeTimers();
    const isolatedGather = await loadWithoutDOMException();
    const reason = await timeoutReasonFor(isolatedGather);
    expect(reason).toBeInstanceOf(Error);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
    expect(ownCause(reason)).toEqual({ present: true, value: undefined });
  });
});

describe('Words: abort errors, nothing constructed at module load', () => {
  it('constructs no DOMException when the module is loaded', async () => {
    vi.resetModules();
    const constructed = vi.fn();
    const RealDOMException = globalThis.DOMException;
    class CountingDOMException extends RealDOMException {
      constructor(...args: ConstructorParameters<typeof DOMException>) {
        super(...args);
        constructed(...args);
      }
    }
    vi.stubGlobal('DOMException', CountingDOMException);
    const module = await import('../src/index');
    expect(constructed).not.toHaveBeenCalled();
    await expect(module.gather([() => Promise.reject(new Error('fail'))])).rejects.toThrow('fail');
  });
});
