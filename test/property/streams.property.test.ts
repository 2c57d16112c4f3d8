/**
 * Property tests of the streams (SPEC › Streams): random sources (arrays, sync
 * generators with promise items, async sources answering at random ticks, failing
 * part way, endless), random mappers (returning, throwing, settling at random
 * ticks, never settling but honouring their signal), random options (concurrency,
 * a shared p-limit, buffer, order, waitForCleanup, a caller's abort) and, for
 * `mapIterable`, a consumer that reads in batches and may leave. Each run checks
 * the invariants every stream must keep, whatever happens:
 * - never more than `concurrency` mappers running, nor items pulled and unsettled;
 * - never more than `buffer` items pulled and not yet taken by the consumer;
 * - never two `next()` calls in flight, never a pull after the end;
 * - `return()` called exactly once when the stream ended early with the source
 *   open, never after the source was done or failed;
 * - every started mapper's signal aborted when the stream failed or was left;
 * - with `waitForCleanup`, no mapper still running when the call settles;
 * - the results: every mapper's value in pull order when nothing failed.
 * Unhandled rejections fail the test (test/support/fail-on-unhandled-rejection.ts).
 */
import fc from 'fast-check';
import pLimit from 'p-limit';
import { describe } from 'vitest';
import { map, mapIterable, mapSettled } from '../../src/index';
import { itHolds } from './settings';

type MapperSpec =
  | { readonly kind: 'returns' }
  | { readonly kind: 'throws' }
  | { readonly kind: 'fulfils'; readonly at: number }
  | { readonly kind: 'rejects'; readonly at: number }
  | { readonly kind: 'hangs' };

interface StreamScenario {
  readonly api: 'map' | 'mapSettled' | 'mapIterable';
  readonly source: 'array' | 'generator' | 'async';
  readonly items: number;
  /** The source's next() fails at this pull (async: rejects; sync: throws), or never. */
  readonly sourceFailsAt: number | undefined;
  /** Ticks an async source takes to answer each next(). */
  readonly pullDelays: readonly number[];
  /** Sync generator: items given as promises settling at this tick (or values). */
  readonly promiseItems: readonly (number | undefined)[];
  readonly mappers: readonly MapperSpec[];
  readonly concurrency: number;
  readonly shared: number | undefined;
  readonly buffer: number | undefined;
  readonly order: 'input' | 'completion';
  readonly waitForCleanup: boolean;
  readonly abortAt: number | undefined;
  /** mapIterable: how many next() calls the consumer makes per tick, and when it leaves. */
  readonly batch: number;
  readonly leaveAfter: number | undefined;
}

const TICKS = 12;
const tickArbitrary = fc.integer({ min: 0, max: 6 });

const mapperArbitrary: fc.Arbitrary<MapperSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'returns' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'throws' as const }) },
  { weight: 4, arbitrary: tickArbitrary.map((at) => ({ kind: 'fulfils' as const, at })) },
  { weight: 1, arbitrary: tickArbitrary.map((at) => ({ kind: 'rejects' as const, at })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'hangs' as const }) },
);

const scenarioArbitrary: fc.Arbitrary<StreamScenario> = fc
  .record({
    api: fc.constantFrom('map' as const, 'mapSettled' as const, 'mapIterable' as const),
    source: fc.constantFrom('array' as const, 'generator' as const, 'async' as const),
    items: fc.integer({ min: 0, max: 8 }),
    sourceFailsAt: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined, freq: 4 }),
    pullDelays: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 10, maxLength: 10 }),
    promiseItems: fc.array(fc.option(tickArbitrary, { nil: undefined }), {
      minLength: 8,
      maxLength: 8,
    }),
    mappers: fc.array(mapperArbitrary, { minLength: 8, maxLength: 8 }),
    concurrency: fc.integer({ min: 1, max: 4 }),
    shared: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 3 }),
    buffer: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    order: fc.constantFrom('input' as const, 'completion' as const),
    waitForCleanup: fc.boolean(),
    abortAt: fc.option(fc.integer({ min: 0, max: TICKS }), { nil: undefined, freq: 3 }),
    batch: fc.integer({ min: 1, max: 3 }),
    leaveAfter: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined, freq: 3 }),
  })
  .map((s) => ({ ...s, sourceFailsAt: s.source === 'array' ? undefined : s.sourceFailsAt }));

/** Virtual time: callbacks run when their tick comes; each tick lets every microtask run. */
class Clock {
  now = 0;
  readonly #due = new Map<number, (() => void)[]>();

  at(tick: number, callback: () => void): void {
    // A callback due "now" runs at the next tick: the current one has passed.
    const when = this.now + tick + 1;
    const list = this.#due.get(when) ?? [];
    list.push(callback);
    this.#due.set(when, list);
  }

  async advance(): Promise<void> {
    this.now++;
    for (const callback of this.#due.get(this.now) ?? []) callback();
    this.#due.delete(this.now);
    for (let turn = 0; turn < 30; turn++) await null;
  }
}

interface Observation {
  pulls: number;
  inFlight: number;
  mostInFlight: number;
  returns: number;
  pulledAfterEnd: boolean;
  sourceEnded: boolean;
  running: number;
  mostRunning: number;
  unsettled: number;
  mostUnsettled: number;
  taken: number;
  asked: number;
  mostUndelivered: number;
  startedSignals: AbortSignal[];
  results: unknown[];
  settled: 'pending' | 'fulfilled' | 'rejected';
  runningAtSettlement: number;
  value: unknown;
}

async function run(s: StreamScenario): Promise<Observation> {
  const clock = new Clock();
  const o: Observation = {
    pulls: 0,
    inFlight: 0,
    mostInFlight: 0,
    returns: 0,
    pulledAfterEnd: false,
    sourceEnded: false,
    running: 0,
    mostRunning: 0,
    unsettled: 0,
    mostUnsettled: 0,
    taken: 0,
    asked: 0,
    mostUndelivered: 0,
    startedSignals: [],
    results: [],
    settled: 'pending',
    runningAtSettlement: -1,
    value: undefined,
  };
  const itemAt = (index: number): unknown => {
    const settlesAt = s.promiseItems[index];
    if (s.source !== 'generator' || settlesAt === undefined) return index;
    return new Promise((resolve) => clock.at(settlesAt, () => resolve(index)));
  };
  const pulled = (): void => {
    o.pulls++;
    o.unsettled++;
    o.mostUnsettled = Math.max(o.mostUnsettled, o.unsettled);
    // Taken as far as anyone can know at this point: the consumer's next() calls
    // answered so far are at most those it made.
    o.mostUndelivered = Math.max(o.mostUndelivered, o.pulls - o.asked);
  };
  let index = 0;
  const syncIterator: Iterator<unknown> = {
    next() {
      if (o.sourceEnded) o.pulledAfterEnd = true;
      if (index === s.sourceFailsAt) {
        o.sourceEnded = true;
        throw new Error('source failed');
      }
      if (index >= s.items) {
        o.sourceEnded = true;
        return { done: true, value: undefined };
      }
      pulled();
      return { done: false, value: itemAt(index++) };
    },
    return() {
      o.returns++;
      if (o.sourceEnded) o.pulledAfterEnd = true;
      o.sourceEnded = true;
      return { done: true, value: undefined };
    },
  };
  const asyncIterator: AsyncIterator<unknown> = {
    next() {
      if (o.sourceEnded) o.pulledAfterEnd = true;
      o.inFlight++;
      o.mostInFlight = Math.max(o.mostInFlight, o.inFlight);
      const pull = index++;
      return new Promise((resolve, reject) => {
        clock.at(s.pullDelays[pull % s.pullDelays.length] ?? 0, () => {
          o.inFlight--;
          // Ended once the stream can know it: its reaction to this answer runs first.
          const ended = (): void =>
            queueMicrotask(() => {
              o.sourceEnded = true;
            });
          if (pull === s.sourceFailsAt) {
            reject(new Error('source failed'));
            ended();
          } else if (pull >= s.items) {
            resolve({ done: true, value: undefined });
            ended();
          } else {
            pulled();
            resolve({ done: false, value: pull });
          }
        });
      });
    },
    async return() {
      o.returns++;
      if (o.sourceEnded) o.pulledAfterEnd = true;
      o.sourceEnded = true;
      return { done: true, value: undefined };
    },
  };
  const source =
    s.source === 'array'
      ? Array.from({ length: s.items }, (_, item) => item)
      : s.source === 'generator'
        ? { [Symbol.iterator]: () => syncIterator }
        : { [Symbol.asyncIterator]: () => asyncIterator };

  const mapper = (item: unknown, signal: AbortSignal, position: number): unknown => {
    if (s.source === 'array') pulled();
    o.startedSignals.push(signal);
    const spec = s.mappers[position % s.mappers.length] as MapperSpec;
    const settle = (): void => {
      o.running--;
      o.unsettled--;
    };
    o.running++;
    o.mostRunning = Math.max(o.mostRunning, o.running);
    switch (spec.kind) {
      case 'returns':
        settle();
        return `value ${String(item)}`;
      case 'throws':
        settle();
        throw new Error(`mapper ${position} threw`);
      case 'hangs':
        return new Promise((_, reject) => {
          const onAbort = (): void => {
            settle();
            reject(signal.reason);
          };
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
      default:
        return new Promise((resolve, reject) =>
          clock.at(spec.at, () => {
            settle();
            if (spec.kind === 'fulfils') resolve(`value ${String(item)}`);
            else reject(new Error(`mapper ${position} rejected`));
          }),
        );
    }
  };

  const controller = new AbortController();
  if (s.abortAt !== undefined) {
    clock.at(s.abortAt, () => controller.abort(new Error('caller aborted')));
  }
  const bound =
    s.shared === undefined ? { concurrency: s.concurrency } : { limit: pLimit(s.shared) };
  const options = { ...bound, signal: controller.signal, waitForCleanup: s.waitForCleanup };

  const settle = (state: 'fulfilled' | 'rejected', value: unknown): void => {
    o.settled = state;
    o.value = value;
    o.runningAtSettlement = o.running;
  };
  if (s.api !== 'mapIterable') {
    const call =
      s.api === 'map' ? map(source, mapper, options) : mapSettled(source, mapper, options);
    call.then(
      (value) => settle('fulfilled', value),
      (reason: unknown) => settle('rejected', reason),
    );
    // Long enough for every item and mapper to settle one after another at concurrency 1
    // (8 items × (6 + 6) ticks); a stream that hangs still stops here.
    for (let tick = 0; tick < TICKS * 20 && o.settled === 'pending'; tick++) await clock.advance();
    return o;
  }

  const iterator = mapIterable(source, mapper, { ...options, order: s.order, buffer: s.buffer });
  let steps = 0;
  let outstanding = 0;
  let over = false;
  for (let tick = 0; tick < TICKS * 2 && !over; tick++) {
    if (s.leaveAfter !== undefined && steps >= s.leaveAfter) {
      // With waitForCleanup, return() waits for mappers that settle as time passes.
      let returned = false;
      iterator.return().then(() => {
        returned = true;
      });
      for (let wait = 0; wait < TICKS * 2 && !returned; wait++) await clock.advance();
      if (o.settled === 'pending') settle('fulfilled', o.results);
      break;
    }
    for (let asked = 0; outstanding === 0 && asked < s.batch; asked++) {
      outstanding++;
      steps++;
      o.asked++;
      iterator.next().then(
        (result) => {
          outstanding--;
          if (!result.done) {
            o.taken++;
            o.results.push(result.value);
            return;
          }
          if (o.settled === 'pending') settle('fulfilled', o.results);
          over = true;
        },
        (reason: unknown) => {
          outstanding--;
          if (o.settled === 'pending') settle('rejected', reason);
          over = true;
        },
      );
    }
    await clock.advance();
  }
  return o;
}

function fail(s: StreamScenario, o: Observation, what: string): never {
  throw new Error(
    `${what}\nscenario: ${JSON.stringify(s)}\nobserved: ${JSON.stringify({ ...o, startedSignals: o.startedSignals.length })}`,
  );
}

describe('streams, property-based', () => {
  itHolds(
    'never run more mappers, nor hold more items unsettled, than the concurrency',
    scenarioArbitrary,
    async (s) => {
      const o = await run(s);
      const bound = s.shared ?? s.concurrency;
      if (o.mostRunning > bound) fail(s, o, `${o.mostRunning} mappers ran at once under ${bound}`);
      if (s.shared === undefined && o.mostUnsettled > s.concurrency) {
        fail(
          s,
          o,
          `${o.mostUnsettled} items pulled and unsettled under concurrency ${s.concurrency}`,
        );
      }
    },
  );

  itHolds(
    'never hold more than `buffer` items not yet taken (mapIterable)',
    scenarioArbitrary.filter((s) => s.api === 'mapIterable' && s.shared === undefined),
    async (s) => {
      const o = await run(s);
      const buffer = s.buffer ?? s.concurrency;
      if (o.mostUndelivered > buffer)
        fail(s, o, `${o.mostUndelivered} items undelivered under buffer ${buffer}`);
    },
  );

  itHolds('never call next() twice at once, nor after the end', scenarioArbitrary, async (s) => {
    const o = await run(s);
    if (o.mostInFlight > 1) fail(s, o, `${o.mostInFlight} next() calls in flight at once`);
    if (o.pulledAfterEnd) fail(s, o, 'pulled (or closed) after the source ended');
  });

  itHolds(
    'close the source at most once, and only when it was still open',
    scenarioArbitrary,
    async (s) => {
      const o = await run(s);
      if (o.returns > 1) fail(s, o, `return() called ${o.returns} times`);
      if (o.settled === 'fulfilled' && s.api === 'map' && o.returns !== 0)
        fail(s, o, 'closed a source that was read to its end');
    },
  );

  itHolds(
    'abort every started mapper when the stream fails or is left',
    scenarioArbitrary,
    async (s) => {
      const o = await run(s);
      const ended =
        o.settled === 'rejected' ||
        (s.api === 'mapIterable' && s.leaveAfter !== undefined && o.settled !== 'pending');
      if (ended && o.startedSignals.some((signal) => !signal.aborted)) {
        // A stream that delivered everything before it was left has nothing left to abort.
        if (!(s.api === 'mapIterable' && o.running === 0))
          fail(s, o, 'a started mapper was not aborted');
      }
    },
  );

  itHolds(
    'with waitForCleanup, leave no mapper running when the call settles',
    scenarioArbitrary.filter((s) => s.waitForCleanup && s.api !== 'mapIterable'),
    async (s) => {
      const o = await run(s);
      if (o.settled !== 'pending' && o.runningAtSettlement > 0)
        fail(s, o, `${o.runningAtSettlement} mappers still running at settlement`);
    },
  );

  itHolds(
    'resolve map with every value in pull order when nothing fails',
    scenarioArbitrary.map((s) => ({
      ...s,
      api: 'map' as const,
      sourceFailsAt: undefined,
      abortAt: undefined,
      mappers: s.mappers.map((m): MapperSpec => (m.kind === 'fulfils' ? m : { kind: 'returns' })),
    })),
    async (s) => {
      const o = await run(s);
      const expected = Array.from({ length: s.items }, (_, item) => `value ${item}`);
      if (o.settled !== 'fulfilled' || JSON.stringify(o.value) !== JSON.stringify(expected)) {
        fail(s, o, 'map did not resolve with every value in pull order');
      }
    },
  );
});
