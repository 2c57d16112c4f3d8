/** SPEC › Streams › `mapSettled`: every outcome kept, in pull order; partial results on an abort. */
import { describe, expect, it, vi } from 'vitest';
import { mapSettled } from '../src/index';
import { controlledSource } from './support/controlled-source';
import { deferred, flushMicrotasks, never, observe } from './support/deferred';

describe('mapSettled', () => {
  it('keeps every outcome in pull order, as Promise.allSettled shapes them', async () => {
    const failure = new Error('no');
    const result = await mapSettled([0, 1, 2], (item) =>
      item === 1 ? Promise.reject(failure) : item,
    );
    expect(result).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'rejected', reason: failure },
      { status: 'fulfilled', value: 2 },
    ]);
  });

  it('does not abort the other mappers when one fails', async () => {
    let sibling: AbortSignal | undefined;
    const gate = deferred<string>();
    const call = mapSettled([0, 1], (item, signal) => {
      if (item === 0) {
        sibling = signal;
        return gate.promise;
      }
      return Promise.reject(new Error('no'));
    });
    await flushMicrotasks();
    expect(sibling?.aborted).toBe(false);
    gate.resolve('ok');
    expect((await call)[0]).toEqual({ status: 'fulfilled', value: 'ok' });
  });

  it('rejects when next() fails, after aborting the running mappers', async () => {
    const source = controlledSource<number>();
    let seen: AbortSignal | undefined;
    const call = mapSettled(
      source,
      (_item, signal) => {
        seen = signal;
        return never();
      },
      { concurrency: 2 },
    );
    await flushMicrotasks();
    source.give(0);
    await flushMicrotasks();
    const failure = new Error('read');
    source.fail(failure);
    await expect(call).rejects.toBe(failure);
    expect(seen?.aborted).toBe(true);
  });

  it('resolves with partial results on the caller abort: finished ones keep their outcome, running ones read the reason', async () => {
    const source = controlledSource<number>();
    const controller = new AbortController();
    const call = mapSettled(source, (item) => (item === 0 ? 'done' : never()), {
      signal: controller.signal,
      concurrency: 4,
    });
    await flushMicrotasks();
    source.give(0);
    await flushMicrotasks();
    source.give(1);
    await flushMicrotasks();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).resolves.toEqual([
      { status: 'fulfilled', value: 'done' },
      { status: 'rejected', reason },
    ]);
    expect(source.returns).toBe(1);
  });

  it('with waitForCleanup, a running mapper reads its own outcome once it settles', async () => {
    const controller = new AbortController();
    const gate = deferred<string>();
    const call = observe(
      mapSettled([0], () => gate.promise, { signal: controller.signal, waitForCleanup: true }),
    );
    await flushMicrotasks();
    controller.abort(new Error('stop'));
    await flushMicrotasks();
    expect(call.state.status).toBe('pending');
    gate.resolve('late');
    await flushMicrotasks();
    expect(call.state).toEqual({
      status: 'fulfilled',
      value: [{ status: 'fulfilled', value: 'late' }],
    });
  });

  it('on the deadline, resolves with what it has', async () => {
    vi.useFakeTimers();
    const call = observe(
      mapSettled([0, 1], (item) => (item === 0 ? 'fast' : never()), { timeout: 50 }),
    );
    await vi.advanceTimersByTimeAsync(50);
    vi.useRealTimers();
    expect(call.state.status).toBe('fulfilled');
    const outcomes = (call.state as { value: PromiseSettledResult<string>[] }).value;
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'fast' });
    expect((outcomes[1] as PromiseRejectedResult).reason.name).toBe('TimeoutError');
  });

  it('with a signal already aborted, resolves [] and pulls nothing', async () => {
    const source = controlledSource<number>();
    await expect(mapSettled(source, () => 1, { signal: AbortSignal.abort() })).resolves.toEqual([]);
    expect(source.pulls).toBe(0);
  });
});
