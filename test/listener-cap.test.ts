/**
 * A signal p-gather makes (a call's, a group's) is shared by every task of that
 * call, so Node's cap of 10 listeners per signal would warn about listeners the
 * user's own tasks add on purpose. p-gather lifts the cap on those signals only.
 */
import { afterEach, describe, expect, vi } from 'vitest';
import { asCompleted, first, gather, gatherSettled, TaskGroup } from '../src/index';
import { deferred } from './support/deferred';
import { itInNode } from './support/node-only';

/** A task function that listens to its signal until `done` settles, as a sleep or a fetch does. */
function listeningTask(done: Promise<void>) {
  return (signal: AbortSignal) => {
    const onAbort = () => {};
    signal.addEventListener('abort', onAbort);
    return done.then(() => signal.removeEventListener('abort', onAbort));
  };
}

/** The MaxListenersExceededWarning messages Node emitted while the spy was on. */
function maxListenerWarnings(spy: { mock: { calls: unknown[][] } }): unknown[] {
  return spy.mock.calls.filter((args) =>
    args.some((arg) => String(arg).includes('MaxListenersExceeded')),
  );
}

const TASKS = 10_000;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the signals p-gather makes lift Node's listener cap", () => {
  itInNode('a bare signal with 11 listeners warns (the check below can see a warning)', () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { signal } = new AbortController();
    for (let index = 0; index < 11; index++) signal.addEventListener('abort', () => {});
    expect(maxListenerWarnings(emitWarning)).toHaveLength(1);
  });

  itInNode(
    'gather of 10,000 task functions that each listen to the signal prints no warning',
    async () => {
      const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const done = deferred();
      const call = gather(Array.from({ length: TASKS }, () => listeningTask(done.promise)));
      done.resolve();
      expect(await call).toHaveLength(TASKS);
      expect(maxListenerWarnings(emitWarning)).toEqual([]);
    },
  );

  itInNode('gatherSettled, first and asCompleted print no warning either', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const done = deferred();
    const tasks = () => Array.from({ length: 100 }, () => listeningTask(done.promise));
    const settled = gatherSettled(tasks());
    const winner = first(tasks());
    const iterator = asCompleted(tasks());
    done.resolve();
    expect(await settled).toHaveLength(100);
    await winner;
    let entries = 0;
    for await (const _entry of iterator) entries++;
    expect(entries).toBe(100);
    expect(maxListenerWarnings(emitWarning)).toEqual([]);
  });

  itInNode('a TaskGroup whose 100 spawned tasks each listen prints no warning', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const done = deferred();
    const group = new TaskGroup();
    for (let index = 0; index < 100; index++) group.spawn(listeningTask(done.promise));
    done.resolve();
    await group.join();
    expect(maxListenerWarnings(emitWarning)).toEqual([]);
  });

  itInNode(
    "the caller's own signal keeps Node's warning: only p-gather's signals are lifted",
    async () => {
      const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
      const caller = new AbortController();
      await gather([() => 1], { signal: caller.signal });
      for (let index = 0; index < 11; index++) caller.signal.addEventListener('abort', () => {});
      expect(maxListenerWarnings(emitWarning)).toHaveLength(1);
    },
  );
});
