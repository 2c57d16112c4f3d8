/**
 * What the browser itself provides: its own `DOMException`, its own timers, its own
 * `AbortSignal.timeout`, and the published ESM build loaded by the page.
 */
import { describe, expect, it } from 'vitest';
import type * as PGather from '../../src/index';
import { gather, gatherSettled } from '../../src/index';
import { never } from '../support/deferred';

/** `DOMException.ABORT_ERR` and `DOMException.TIMEOUT_ERR`, the legacy codes. */
const ABORT_ERR = 20;
const TIMEOUT_ERR = 23;

function ownCause(value: unknown): { present: boolean; value: unknown } {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    return { present: false, value: undefined };
  }
  const descriptor = Object.getOwnPropertyDescriptor(value, 'cause');
  return { present: descriptor !== undefined, value: descriptor?.value };
}

/** Runs `run` and resolves with the reason its promise rejected with. */
async function rejectionOf(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}

/** Runs a call whose second task fails with `failure`; resolves with its first task’s signal. */
async function signalAfterFailure(failure: unknown, run = gather): Promise<AbortSignal> {
  let signal: AbortSignal | undefined;
  const reason = await rejectionOf(() =>
    run([
      (s) => {
        signal = s;
        return never();
      },
      () => Promise.reject(failure),
    ]),
  );
  expect(reason).toBe(failure);
  if (signal === undefined) throw new Error('the first task function was not called');
  return signal;
}

/** Runs a call with a real 10 ms deadline and a task that never settles; resolves with its reason. */
function timeoutReason(): Promise<unknown> {
  return rejectionOf(() => gather([() => never()], { timeout: 10 }));
}

/** Resolves after `ms` milliseconds of the page’s own timer. */
function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Words: abort errors, the browser’s own DOMException', () => {
  it('aborts siblings with the page’s DOMException named "AbortError", code 20', async () => {
    const { reason } = await signalAfterFailure(new Error('fail'));
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError', code: ABORT_ERR });
  });

  it('creates the same kind of AbortError as the browser’s AbortController.abort()', async () => {
    const { reason } = await signalAfterFailure(new Error('fail'));
    const controller = new AbortController();
    controller.abort();
    const native: unknown = controller.signal.reason;
    expect(Object.getPrototypeOf(reason)).toBe(Object.getPrototypeOf(native));
    expect(reason).toMatchObject({ name: 'AbortError', code: ABORT_ERR });
  });

  it('gives the AbortError an own `cause` property holding the failure', async () => {
    const failure = new Error('fail');
    const { reason } = await signalAfterFailure(failure);
    expect(ownCause(reason)).toEqual({ present: true, value: failure });
    expect(ownCause(reason).value).toBe(failure);
  });

  it('defines the AbortError’s `cause` even when the failure is undefined', async () => {
    const { reason } = await signalAfterFailure(undefined);
    expect(ownCause(reason)).toEqual({ present: true, value: undefined });
  });

  it('times out with the page’s DOMException named "TimeoutError", code 23', async () => {
    const reason = await timeoutReason();
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError', code: TIMEOUT_ERR });
  });

  it('gives the TimeoutError an own `cause` of undefined', async () => {
    expect(ownCause(await timeoutReason())).toEqual({ present: true, value: undefined });
  });

  it('gives the AbortError a stack, which Chromium’s DOMException lacks on its own', async () => {
    const { reason } = await signalAfterFailure(new Error('fail'));
    expect(typeof (reason as { stack?: unknown }).stack).toBe('string');
  });
});

describe('gather 7. deadline, with the browser’s real timers', () => {
  it('aborts the call’s signal with the TimeoutError it rejects with', async () => {
    let signal: AbortSignal | undefined;
    const reason = await rejectionOf(() =>
      gather(
        [
          (s) => {
            signal = s;
            return never();
          },
        ],
        { timeout: 10 },
      ),
    );
    expect(signal?.reason).toBe(reason);
  });

  it('resolves when its tasks settle before the deadline', async () => {
    await expect(
      gather([() => 1, Promise.resolve(2), async () => 3], { timeout: 1_000 }),
    ).resolves.toEqual([1, 2, 3]);
  });

  it('with `timeout: 0`, lets work that settles in microtasks win, as AbortSignal.timeout(0) does', async () => {
    await expect(gather([() => 1, Promise.resolve(2)], { timeout: 0 })).resolves.toEqual([1, 2]);
  });

  it('with `timeout: 0`, still calls its task functions, then times out', async () => {
    let called = false;
    const reason = await rejectionOf(() =>
      gather(
        [
          () => {
            called = true;
            return never();
          },
        ],
        { timeout: 0 },
      ),
    );
    expect(called).toBe(true);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('never aborts the call’s signal after the call has resolved, once its deadline has passed', async () => {
    let signal: AbortSignal | undefined;
    await gather(
      [
        (s) => {
          signal = s;
          return 'done';
        },
      ],
      { timeout: 20 },
    );
    // A timer of the same delay set later fires after the call's own (HTML timer
    // ordering), so the deadline would have fired by now had it not been cleared.
    await realDelay(20);
    expect(signal?.aborted).toBe(false);
  });

  it('never fires a deadline above 2^31−1 ms early, where the browser’s timer would', async () => {
    const controller = new AbortController();
    let signal: AbortSignal | undefined;
    const call = gather(
      [
        (s) => {
          signal = s;
          return never();
        },
      ],
      { signal: controller.signal, timeout: 2 ** 31 },
    );
    // Handed 2^31 ms, setTimeout wraps it to a negative delay and waits 0 ms; a timer
    // set later for 10 ms fires after that one (HTML timer ordering).
    await realDelay(10);
    expect(signal?.aborted).toBe(false);
    controller.abort('done');
    await expect(call).rejects.toBe('done');
  });

  it('gives gatherSettled partial results under a real deadline', async () => {
    const results = await gatherSettled([() => 'quick', () => never()], { timeout: 10 });
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'quick' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { name: 'TimeoutError' } });
  });
});

describe('gather 6. caller’s signal: the browser’s AbortSignal.timeout', () => {
  it('rejects with the TimeoutError the browser created, the same object', async () => {
    const signal = AbortSignal.timeout(10);
    const reason = await rejectionOf(() => gather([() => never()], { signal }));
    expect(reason).toBe(signal.reason);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError', code: TIMEOUT_ERR });
  });

  it('aborts the call’s signal with that same TimeoutError', async () => {
    const callerSignal = AbortSignal.timeout(10);
    let signal: AbortSignal | undefined;
    await rejectionOf(() =>
      gather(
        [
          (s) => {
            signal = s;
            return never();
          },
        ],
        { signal: callerSignal },
      ),
    );
    expect(signal?.reason).toBe(callerSignal.reason);
  });
});

describe('the ESM build (dist/index.js) in the page', () => {
  /** Loads `dist/index.js`, built by `npm run build`, as the page’s own module. */
  async function importBuild(): Promise<typeof PGather> {
    const url = new URL('../../dist/index.js', import.meta.url).href;
    try {
      return await import(/* @vite-ignore */ url);
    } catch (error) {
      throw new Error(`could not import ${url}: run \`npm run build\` first`, { cause: error });
    }
  }

  it('exports the family, the streams and the task wrappers, and nothing else', async () => {
    const build = await importBuild();
    expect(Object.keys(build).sort()).toEqual([
      'TaskGroup',
      'asCompleted',
      'backoff',
      'first',
      'gather',
      'gatherSettled',
      'isolate',
      'map',
      'mapIterable',
      'mapSettled',
      'retry',
      'withTimeout',
    ]);
  });

  it('gathers task functions, promises and values in input order', async () => {
    const { gather: builtGather } = await importBuild();
    await expect(builtGather([() => 1, Promise.resolve(2), 3])).resolves.toEqual([1, 2, 3]);
  });

  it('aborts siblings with the page’s DOMException AbortError, its cause the failure', async () => {
    const { gather: builtGather } = await importBuild();
    const failure = new Error('fail');
    const { reason } = await signalAfterFailure(failure, builtGather);
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'AbortError', code: ABORT_ERR });
    expect(ownCause(reason)).toEqual({ present: true, value: failure });
  });

  it('times out with the page’s DOMException TimeoutError', async () => {
    const { gatherSettled: builtGatherSettled } = await importBuild();
    const [result] = await builtGatherSettled([() => never()], { timeout: 10 });
    const reason = result?.status === 'rejected' ? result.reason : undefined;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError', code: TIMEOUT_ERR });
  });

  it('contains a failure with isolate', async () => {
    const { isolate: builtIsolate } = await importBuild();
    const task = builtIsolate(() => Promise.reject(new Error('fail')), { fallback: 'fallback' });
    await expect(task()).resolves.toBe('fallback');
  });
});
