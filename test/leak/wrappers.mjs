/**
 * SPEC › Task wrappers: "they listen to the outer signal through the same link
 * registry as the calls (one listener on a signal, however many wrapped tasks share
 * it), and each call's link is removed the moment that call settles or its wait
 * ends. Timers are cleared when no longer needed — not merely unref'd."
 *
 *   node --expose-gc test/leak/wrappers.mjs
 *
 * 1. 100,000 wrapped tasks, 1,000 at a time, on one AbortSignal that never aborts:
 *    withTimeout fulfilled, failed, timed out; retry succeeding at once, after
 *    failures, exhausted; the composition orders; inside gather and called directly.
 *    Afterwards: no listener on the signal, no timer alive, heap flat after GC.
 * 2. 10,000 retry waits pending on that signal: exactly 1 listener; it aborts: every
 *    wrapper rejects with its reason at once, and no listener and no timer remain.
 * No MaxListenersExceededWarning at any point.
 */
import { getEventListeners } from 'node:events';
import { gather, isolate, retry, withTimeout } from '../../dist/index.js';
import { check, finish, heapAfterGc, never, signedMb, since } from './support.mjs';

const warnings = [];
process.on('warning', (warning) => warnings.push(warning.name));

const listeners = (signal) => getEventListeners(signal, 'abort').length;
/** Timers alive in this process (cleared ones are gone; an unref'd one would still count). */
const liveTimers = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
const failure = new Error('planned failure');

/** A task that fails `times` times (counted per wrapper call), then fulfils. */
function failing(times) {
  return () => {
    let calls = 0;
    return async () => {
      calls += 1;
      if (calls <= times) throw failure;
      return calls;
    };
  };
}

/** One wrapped task of kind `index % kinds.length`, called with `signal`. Never rejects. */
const kinds = [
  (signal) => withTimeout(async () => 1, 60_000)(signal),
  (signal) => withTimeout(() => Promise.reject(failure), 60_000)(signal),
  (signal) => withTimeout(() => never(), 0)(signal),
  (signal) => retry(async () => 1)(signal),
  (signal) => retry(failing(2)(), { delay: 0 })(signal),
  (signal) => retry(() => Promise.reject(failure), { retries: 1, delay: 0 })(signal),
  (signal) => retry(withTimeout(failing(1)(), 60_000), { delay: 0 })(signal),
  (signal) => withTimeout(retry(failing(1)(), { delay: 0 }), 60_000)(signal),
  (signal) =>
    isolate(
      retry(
        withTimeout(() => never(), 0),
        { retries: 1, delay: 0 },
      ),
      { fallback: 0 },
    )(signal),
  (signal) =>
    gather([withTimeout(async () => 1, 60_000), retry(failing(1)(), { delay: 0 })], { signal }),
  (signal) => gather([withTimeout(() => never(), 0), retry(() => never())], { signal }),
];

async function soak(signal, total, batch) {
  let peak = 0;
  const outcomes = { fulfilled: 0, rejected: 0, timedOut: 0 };
  for (let done = 0; done < total; done += batch) {
    const calls = [];
    for (let index = done; index < done + batch; index++) {
      calls.push(kinds[index % kinds.length](signal));
    }
    peak = Math.max(peak, listeners(signal));
    for (const outcome of await Promise.allSettled(calls)) {
      outcomes[outcome.status]++;
      if (outcome.status === 'rejected' && outcome.reason?.name === 'TimeoutError') {
        outcomes.timedOut++;
      }
    }
  }
  return { peak, outcomes };
}

async function main() {
  const controller = new AbortController();
  const { signal } = controller;

  // A first round warms the code up, so the heap is compared after the same work.
  await soak(signal, 11_000, 1_000);
  const heapBefore = await heapAfterGc();
  let start = performance.now();
  const { peak, outcomes } = await soak(signal, 100_000, 1_000);
  const heapGrowth = (await heapAfterGc()) - heapBefore;
  check(
    listeners(signal) === 0,
    'no abort listener on a long-lived signal after 100,000 wrapped tasks',
    `${listeners(signal)} listener(s); peak while 1,000 were pending: ${peak}; ` +
      `${outcomes.fulfilled} fulfilled, ${outcomes.rejected} rejected ` +
      `(${outcomes.timedOut} by their timeout); ${since(start)}`,
  );
  check(peak <= 1, 'at most one listener while wrapped tasks are pending', `peak ${peak}`);
  check(
    outcomes.fulfilled > 0 && outcomes.rejected > outcomes.timedOut && outcomes.timedOut > 0,
    'the soak covered fulfilled, failed and timed-out wrapped tasks',
    `${outcomes.fulfilled} / ${outcomes.rejected - outcomes.timedOut} / ${outcomes.timedOut}`,
  );
  check(liveTimers() === 0, 'no timer alive after them', `${liveTimers()} timer(s)`);
  check(
    heapGrowth < 2 * 1024 * 1024,
    'heap after GC flat (< 2 MB growth) over 100,000 wrapped tasks',
    signedMb(heapGrowth),
  );

  // 2. 10,000 waits pending on the signal, then it aborts.
  start = performance.now();
  const pending = [];
  for (let index = 0; index < 10_000; index++) {
    pending.push(retry(() => Promise.reject(failure), { delay: 60_000 })(signal));
  }
  // Let every first attempt fail, so that each wrapper is in its wait.
  await new Promise((resolve) => setImmediate(resolve));
  const whileWaiting = { listeners: listeners(signal), timers: liveTimers() };
  const reason = new Error('caller gave up');
  controller.abort(reason);
  const settled = await Promise.allSettled(pending);
  const allFollowed = settled.every(
    (outcome) => outcome.status === 'rejected' && outcome.reason === reason,
  );
  check(
    whileWaiting.listeners === 1 && whileWaiting.timers === 10_000,
    'one listener and one timer per wait while 10,000 retries wait on one signal',
    `${whileWaiting.listeners} listener(s), ${whileWaiting.timers} timer(s)`,
  );
  check(
    allFollowed && listeners(signal) === 0 && liveTimers() === 0,
    'the abort ends 10,000 waits at once: each rejects with its reason; no listener, no timer left',
    `${listeners(signal)} listener(s), ${liveTimers()} timer(s) after; ${since(start)}`,
  );

  await new Promise((resolve) => setImmediate(resolve));
  const maxListenerWarnings = warnings.filter((name) => name === 'MaxListenersExceededWarning');
  check(
    maxListenerWarnings.length === 0,
    'no MaxListenersExceededWarning',
    `${warnings.length} warning(s): ${warnings.join(', ') || 'none'}`,
  );
  finish('wrappers');
}

await main();
