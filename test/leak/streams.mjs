/**
 * SPEC › Streams › Performance and mapIterable 6: what the streams hold.
 *
 *   node --expose-gc test/leak/streams.mjs
 *
 * 1. An endless source through `mapIterable` (`concurrency: 16`) read for 1,000,000
 *    items: the heap after GC, between the 10,000th item and the 1,000,000th (the
 *    iterator still open), grows ≤ 2 MB (one retained object per item would be
 *    ≥ 30 MB). A control that keeps one small object per item must exceed the bound.
 * 2. `map` over 1,000,000 items (a sync generator; and 100,000 of an async one) at
 *    `concurrency: 16` never holds more than 16 items pulled and unsettled: counted
 *    by the source at each pull against the mappers' settlements.
 * 3. Leaving a `mapIterable` loop (break, a throw in the body, return() before the
 *    first result, to the end, a mapper's failure), 10,000 loops with `timeout`,
 *    linked to one long-lived signal: 1 listener while a loop is open, 0 after; no
 *    timer left (`process.getActiveResourcesInfo()`), no MaxListenersExceededWarning.
 */
import { getEventListeners } from 'node:events';
import { map, mapIterable } from '../../dist/index.js';
import { check, finish, heapAfterGc, mb, signedMb, since } from './support.mjs';

const BOUND = 2 * 1024 * 1024;
const CONCURRENCY = 16;
const warnings = [];
process.on('warning', (warning) => warnings.push(warning.name));

function* endless() {
  for (let i = 0; ; i++) yield i;
}

/** Reads `n` results of an endless mapIterable; the heap growth between item 1e4 and item n. */
async function endlessGrowth(n, keep) {
  const kept = [];
  const mapper = async (item) => {
    if (keep) kept.push({ item });
    return item;
  };
  const iterator = mapIterable(endless(), mapper, { concurrency: CONCURRENCY });
  let read = 0;
  let before = 0;
  for await (const value of iterator) {
    if (value !== read) throw new Error(`read ${value}, expected ${read}`);
    read++;
    if (read === 10_000) before = await heapAfterGc();
    if (read === n) break;
  }
  const after = await heapAfterGc();
  if (read !== n) throw new Error(`read ${read}, expected ${n}`);
  return { growth: after - before, after, kept: kept.length };
}

{
  const start = performance.now();
  await endlessGrowth(20_000, false); // warm up the code measured
  const { growth, after } = await endlessGrowth(1_000_000, false);
  check(
    growth <= BOUND,
    'endless source through mapIterable (concurrency 16), 1e6 items read: heap flat after GC',
    `${signedMb(growth)} (heap ${mb(after)}), ${since(start)}`,
  );
  const control = await endlessGrowth(300_000, true);
  check(
    control.growth > BOUND,
    'control: a mapper that keeps one small object per item is seen (must exceed 2 MB)',
    `${signedMb(control.growth)} over ${control.kept} items`,
  );
}

/** A counting source: at each pull, how many items are pulled and not yet settled. */
function bounded(n, asyncSource) {
  const counts = { pulled: 0, settled: 0, most: 0 };
  function* items() {
    for (let i = 0; i < n; i++) {
      counts.pulled++;
      counts.most = Math.max(counts.most, counts.pulled - counts.settled);
      yield i;
    }
  }
  async function* asyncItems() {
    yield* items();
  }
  const mapper = async (item) => {
    await null;
    counts.settled++;
    return item;
  };
  return { counts, source: asyncSource ? asyncItems() : items(), mapper };
}

for (const [n, asyncSource] of [
  [1_000_000, false],
  [100_000, true],
]) {
  const start = performance.now();
  const { counts, source, mapper } = bounded(n, asyncSource);
  const results = await map(source, mapper, { concurrency: CONCURRENCY });
  check(
    results.length === n && results[n - 1] === n - 1 && counts.most <= CONCURRENCY,
    `map over ${n.toLocaleString('en-US')} items of a ${asyncSource ? 'async' : 'sync'} generator (concurrency 16): never more than 16 pulled and unsettled`,
    `at most ${counts.most} held, ${counts.pulled} pulled, ${counts.settled} settled, ${since(start)}`,
  );
}

{
  const start = performance.now();
  const signal = new AbortController().signal;
  const listeners = () => getEventListeners(signal, 'abort').length;
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const timersBefore = timers();
  const failure = new Error('planned failure');
  const options = { signal, timeout: 60_000, concurrency: 4 };
  let mostWhileOpen = 0;
  let leastWhileOpen = Number.POSITIVE_INFINITY;
  const open = () => {
    mostWhileOpen = Math.max(mostWhileOpen, listeners());
    leastWhileOpen = Math.min(leastWhileOpen, listeners());
  };
  const ways = [
    async () => {
      for await (const value of mapIterable(endless(), async (item) => item, options)) {
        open();
        if (value === 3) break;
      }
    },
    async () => {
      try {
        for await (const _ of mapIterable(endless(), async (item) => item, options)) {
          open();
          throw failure;
        }
      } catch (error) {
        if (error !== failure) throw error;
      }
    },
    async () => {
      const iterator = mapIterable(endless(), (item) => new Promise(() => item), options);
      const pending = iterator.next();
      open();
      await iterator.return();
      const step = await pending;
      if (!step.done) throw new Error('a pending next() after return() must be done');
    },
    async () => {
      let count = 0;
      // No open() here: once the source is done and every mapper settled, the link goes
      // before the loop has taken the last results (SPEC › Settled details, Release).
      for await (const _ of mapIterable([1, 2, 3], async (item) => item, options)) {
        count++;
      }
      if (count !== 3) throw new Error(`read ${count} of 3`);
    },
    async () => {
      try {
        for await (const _ of mapIterable(
          endless(),
          async (item) => {
            if (item === 5) throw failure;
            return item;
          },
          options,
        )) {
          // No open() here either: the failure released the link before its results are read.
        }
        throw new Error('the failure must reach the loop');
      } catch (error) {
        if (error !== failure) throw error;
      }
    },
  ];
  for (let i = 0; i < 10_000; i++) await (ways[i % ways.length] ?? ways[0])();
  await new Promise((resolve) => setImmediate(resolve));
  check(
    listeners() === 0 && mostWhileOpen === 1 && leastWhileOpen === 1,
    '10,000 mapIterable loops left by break, throw, return(), their end and a failure: no listener left on the long-lived signal',
    `${listeners()} left; ${leastWhileOpen}–${mostWhileOpen} while a loop was open, ${since(start)}`,
  );
  check(
    timers() === timersBefore,
    'and no timer left (timeout: 60_000 on each)',
    `${timers()} Timeout resources, ${timersBefore} before`,
  );
  check(
    !warnings.includes('MaxListenersExceededWarning'),
    'no MaxListenersExceededWarning',
    warnings.length === 0 ? 'no warning' : warnings.join(', '),
  );
}

finish('streams');
