/**
 * SPEC gather 6: a long-lived caller's signal reused by many calls holds no
 * listener once they have settled, and at most one while any is pending.
 *
 *   node --expose-gc test/leak/listeners.mjs
 *
 * 1. 100,000 calls, 1,000 at a time, linked to one AbortSignal that never aborts:
 *    fulfilled, failed (rejection, throw), timed out (the call's signal aborted by
 *    the deadline), gatherSettled with failures and deadlines, under `concurrency`,
 *    a shared `limit`, `waitForCleanup`, isolate, nested gathers. Afterwards:
 *    `getEventListeners(signal, 'abort').length === 0`.
 * 2. 10,000 calls pending at once on that signal: exactly 1 listener; 0 once they settle.
 * 3. 10,000 nested gathers linked to their parent's call signal: 1 listener on each
 *    signal while pending; 0 after a sibling's failure has aborted them all.
 * 4. The long-lived signal aborts while 10,000 calls are pending: every call rejects
 *    with its reason, and 0 listeners remain.
 * No MaxListenersExceededWarning at any point.
 */
import { getEventListeners } from 'node:events';
import pLimit from 'p-limit';
import { asCompleted, first, gather, gatherSettled, isolate, TaskGroup } from '../../dist/index.js';
import { check, finish, never, since } from './support.mjs';

const warnings = [];
process.on('warning', (warning) => warnings.push(warning.name));

const listeners = (signal) => getEventListeners(signal, 'abort').length;
const failure = new Error('planned failure');
const limit = pLimit(4);

/** One call of kind `index % kinds.length`, linked to `signal`. Never rejects. */
const kinds = [
  (signal) => gather([() => 1, 2, Promise.resolve(3)], { signal }),
  (signal) => gather([async () => 1, () => Promise.resolve(2)], { signal }),
  (signal) => gather([() => never(), () => Promise.reject(failure)], { signal }),
  (signal) =>
    gather(
      [
        () => never(),
        () => {
          throw failure;
        },
      ],
      { signal },
    ),
  (signal) => gather([() => never()], { signal, timeout: 0 }),
  (signal) => gatherSettled([() => 1, () => Promise.reject(failure)], { signal }),
  (signal) => gatherSettled([() => 1, () => never()], { signal, timeout: 0 }),
  (signal) =>
    gather([async () => 1, async () => 2, () => Promise.reject(failure)], {
      signal,
      concurrency: 1,
    }),
  (signal) =>
    gather([async () => 1, () => Promise.reject(failure), async () => 3], { signal, limit }),
  (signal) =>
    gather(
      [
        (own) => new Promise((resolve) => own.addEventListener('abort', resolve)),
        () => Promise.reject(failure),
      ],
      { signal, waitForCleanup: true },
    ),
  (signal) =>
    gather([isolate(() => Promise.reject(failure), { fallback: 0 }), async () => 1], { signal }),
  (signal) =>
    gather(
      [
        (own) => gather([() => never()], { signal: own }),
        () => gather([async () => 1], { signal }),
        () => Promise.reject(failure),
      ],
      { signal },
    ),
  (signal) => gather({ a: async () => 1, b: () => 2 }, { signal, timeout: 60_000 }),
  (signal) => gather(new Map([['a', async () => 1]]), { signal, timeout: 60_000 }),
  (signal) => first([() => never(), async () => 1], { signal, timeout: 60_000 }),
  async (signal) => {
    const entries = [];
    for await (const entry of asCompleted([async () => 1, () => never()], { signal })) {
      entries.push(entry);
      break; // leaving the loop must release the link too
    }
    return entries;
  },
  (signal) => {
    const group = new TaskGroup({ signal, timeout: 60_000, concurrency: 2 });
    group.spawn(async () => 1);
    group.spawn(() => Promise.reject(failure));
    group.spawn(async () => 3);
    return group.join();
  },
  (signal) => {
    const group = new TaskGroup({ signal });
    group.spawn(async () => 1);
    return group.join();
  },
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

  let start = performance.now();
  const { peak, outcomes } = await soak(signal, 100_000, 1_000);
  check(
    listeners(signal) === 0,
    'no abort listener on a long-lived signal after 100,000 settled calls',
    `${listeners(signal)} listener(s); peak while 1,000 were pending: ${peak}; ` +
      `${outcomes.fulfilled} fulfilled, ${outcomes.rejected} rejected ` +
      `(${outcomes.timedOut} by their deadline); ${since(start)}`,
  );
  check(peak === 1, 'exactly one listener while calls are pending', `peak ${peak}`);
  check(
    outcomes.fulfilled > 0 && outcomes.rejected > outcomes.timedOut && outcomes.timedOut > 0,
    'the soak covered fulfilled, failed and timed-out calls',
    `${outcomes.fulfilled} / ${outcomes.rejected - outcomes.timedOut} / ${outcomes.timedOut}`,
  );

  // 2. 10,000 pending at once.
  start = performance.now();
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const pending = [];
  for (let index = 0; index < 10_000; index++) {
    const task = () => gate;
    if (index % 4 === 0) pending.push(gather([task, async () => index], { signal }));
    else if (index % 4 === 1) pending.push(gatherSettled([task], { signal, timeout: 60_000 }));
    else if (index % 4 === 2) pending.push(gather([task, task], { signal, concurrency: 1 }));
    else pending.push(gather({ task }, { signal, limit: pLimit(1) }));
  }
  const whilePending = listeners(signal);
  release('done');
  const settled = await Promise.allSettled(pending);
  check(
    whilePending === 1,
    'exactly one listener while 10,000 calls are pending on one signal',
    `${whilePending} listener(s)`,
  );
  check(
    listeners(signal) === 0 && settled.every((outcome) => outcome.status === 'fulfilled'),
    'no listener once those 10,000 have fulfilled',
    `${listeners(signal)} listener(s); ${since(start)}`,
  );

  // 3. 10,000 nested gathers, each linked to its parent's call signal.
  start = performance.now();
  let parentSignal;
  let failParent;
  const outer = gather(
    [
      ...Array.from({ length: 10_000 }, () => (own) => {
        parentSignal = own;
        return gather([() => never()], { signal: own });
      }),
      () =>
        new Promise((_resolve, reject) => {
          failParent = reject;
        }),
    ],
    { signal },
  );
  const nestedPending = {
    parent: listeners(parentSignal),
    caller: listeners(signal),
  };
  failParent(failure);
  const nestedOutcome = await outer.then(
    () => 'fulfilled',
    (reason) => (reason === failure ? 'rejected with the failure' : 'rejected otherwise'),
  );
  check(
    nestedPending.parent === 1 && nestedPending.caller === 1,
    'one listener on each signal while 10,000 nested gathers are pending',
    `parent call signal: ${nestedPending.parent}, caller's signal: ${nestedPending.caller}`,
  );
  check(
    nestedOutcome === 'rejected with the failure' &&
      listeners(parentSignal) === 0 &&
      listeners(signal) === 0,
    'no listener once a failure has aborted 10,000 nested gathers',
    `${nestedOutcome}; parent: ${listeners(parentSignal)}, caller: ${listeners(signal)}; ${since(start)}`,
  );

  // 4. The long-lived signal aborts while 10,000 calls are pending.
  start = performance.now();
  const reason = new Error('caller gave up');
  const aborted = [];
  for (let index = 0; index < 10_000; index++) {
    aborted.push(
      index % 2 === 0
        ? gather([() => never()], { signal, timeout: 60_000 })
        : gatherSettled([() => never()], { signal }),
    );
  }
  const beforeAbort = listeners(signal);
  controller.abort(reason);
  const abortOutcomes = await Promise.allSettled(aborted);
  const allFollowed = abortOutcomes.every((outcome, index) =>
    index % 2 === 0
      ? outcome.status === 'rejected' && outcome.reason === reason
      : outcome.status === 'fulfilled' && outcome.value[0].reason === reason,
  );
  check(
    beforeAbort === 1 && allFollowed && listeners(signal) === 0,
    'an abort reaches 10,000 pending calls through one listener, which is then removed',
    `${beforeAbort} listener(s) before, ${listeners(signal)} after; ${since(start)}`,
  );

  await new Promise((resolve) => setImmediate(resolve));
  const maxListenerWarnings = warnings.filter((name) => name === 'MaxListenersExceededWarning');
  check(
    maxListenerWarnings.length === 0,
    'no MaxListenersExceededWarning',
    `${warnings.length} warning(s): ${warnings.join(', ') || 'none'}`,
  );
  finish('listeners');
}

await main();
