/**
 * Streams (SPEC › Streams › Performance): `map` over an array and over an async
 * generator of 1e5 items at `concurrency: 16`, against p-map and a hand-written
 * worker loop; `mapIterable` over an array (both orders) against p-map's
 * `pMapIterable`; Node's `Readable.from(gen).map(fn, { concurrency })` as an
 * informational peer; and the heap growth, after GC, of an endless source read
 * for 1e6 items through `mapIterable`.
 */
import { Readable } from 'node:stream';
import pMap, { pMapIterable } from 'p-map';
import type * as PGather from '../../src/index';
import {
  assertSameArray,
  type Config,
  type Contender,
  fullGc,
  measure,
  median,
  type Samples,
} from '../harness';
import { formatN, nsPerTask, type Row, row, type Side, side } from '../report';

const GROUP = 'streams';
const CONCURRENCY = 16;

/** The BUILT package, as the harness loads it (its exports do not list the streams). */
const built: typeof PGather = await import(new URL('../../dist/index.js', import.meta.url).href);
const { map, mapIterable } = built;

/** The mapper every contender calls: async, returns the item. */
const mapper = async (item: number, _signal?: AbortSignal): Promise<number> => item;

async function* numbers(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** A bare index-based worker loop over the array, calling the mapper with one signal. */
async function arrayWorkers(items: readonly number[], concurrency: number): Promise<number[]> {
  const signal = new AbortController().signal;
  const results: number[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await mapper(items[index] as number, signal);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, items.length); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/** `concurrency` hand-written workers pulling from one async iterator (an async generator queues `next()` calls). */
async function iteratorWorkers(
  source: AsyncIterable<number>,
  concurrency: number,
): Promise<number[]> {
  const signal = new AbortController().signal;
  const iterator = source[Symbol.asyncIterator]();
  const results: number[] = [];
  let pulled = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = pulled++;
      const step = await iterator.next();
      if (step.done) return;
      results[index] = await mapper(step.value, signal);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < concurrency; w++) workers.push(worker());
  await Promise.all(workers);
  results.length = Math.min(results.length, pulled);
  return results;
}

/** Reads an async iterable to its end: the sum and the count, checked by the caller. */
async function drain(iterable: AsyncIterable<number>): Promise<[number, number]> {
  let sum = 0;
  let count = 0;
  for await (const value of iterable) {
    sum += value;
    count++;
  }
  return [sum, count];
}

function assertDrained(label: string, [sum, count]: [number, number], n: number): void {
  if (count !== n || sum !== (n * (n - 1)) / 2) {
    throw new Error(`${label}: read ${count} results summing to ${sum}, expected ${n}`);
  }
}

function assertLast(label: string, actual: unknown, n: number): void {
  if (!Array.isArray(actual) || actual.length !== n || actual[n - 1] !== n - 1) {
    throw new Error(`${label}: wrong result (length or last value)`);
  }
}

function need(samples: Samples | undefined): Samples {
  if (samples === undefined) throw new Error('contenders missing');
  return samples;
}

const PLAN = { rounds: 3, time: 400, iterations: 6, warmupIterations: 2, gcEachSample: false };

/** Measures array-returning contenders, after checking each returns `0 … n − 1`. */
async function measureArrays(
  config: Config,
  n: number,
  runs: Record<string, () => Promise<unknown>>,
): Promise<Samples[]> {
  const expected = Array.from({ length: n }, (_, i) => i);
  const contenders: Contender[] = [];
  for (const [name, run] of Object.entries(runs)) {
    assertSameArray(name, await run(), expected);
    contenders.push({ name, sample: async () => assertLast(name, await run(), n) });
  }
  return measure(contenders, config.plan(PLAN));
}

async function mapOverArray(config: Config, n: number): Promise<Row[]> {
  const items = Array.from({ length: n }, (_, i) => i);
  const [subject, pMapped, workers] = await measureArrays(config, n, {
    'p-gather map': () => map(items, mapper, { concurrency: CONCURRENCY }),
    'p-map': () => {
      const signal = new AbortController().signal;
      return pMap(items, (item) => mapper(item, signal), { concurrency: CONCURRENCY });
    },
    'worker loop': () => arrayWorkers(items, CONCURRENCY),
  });
  const scale = nsPerTask(n);
  const base = {
    group: GROUP,
    n: formatN(n),
    unit: 'ns/item',
    subject: side(need(subject), scale),
  };
  return [
    row({
      ...base,
      case: 'map array c16 vs p-map',
      baseline: side(need(pMapped), scale),
      target: { text: '≥ 3× faster (≤ 0.33×)', maxRatio: 1 / 3 },
    }),
    row({
      ...base,
      case: 'map array c16 vs worker loop',
      baseline: side(need(workers), scale),
      target: { text: '≤ 1.5×', maxRatio: 1.5 },
    }),
  ];
}

async function mapOverGenerator(config: Config, n: number): Promise<Row[]> {
  const [subject, pMapped, workers, readable] = await measureArrays(config, n, {
    'p-gather map': () => map(numbers(n), mapper, { concurrency: CONCURRENCY }),
    'p-map': () => {
      const signal = new AbortController().signal;
      return pMap(numbers(n), (item) => mapper(item, signal), { concurrency: CONCURRENCY });
    },
    '16 workers': () => iteratorWorkers(numbers(n), CONCURRENCY),
    'Readable.map': () => {
      const signal = new AbortController().signal;
      return Readable.from(numbers(n))
        .map((item: number) => mapper(item, signal), { concurrency: CONCURRENCY })
        .toArray();
    },
  });
  const scale = nsPerTask(n);
  const base = {
    group: GROUP,
    n: formatN(n),
    unit: 'ns/item',
    subject: side(need(subject), scale),
  };
  return [
    row({
      ...base,
      case: 'map async gen c16 vs p-map',
      baseline: side(need(pMapped), scale),
      target: { text: '≥ 2× faster (≤ 0.5×)', maxRatio: 0.5 },
    }),
    row({
      ...base,
      case: 'map async gen c16 vs 16 workers',
      baseline: side(need(workers), scale),
      target: { text: '≤ 1.3×', maxRatio: 1.3 },
    }),
    row({
      ...base,
      case: '  map async gen c16: peer Readable.from(gen).map',
      baseline: side(need(readable), scale),
    }),
  ];
}

async function mapIterableOverArray(config: Config, n: number): Promise<Row[]> {
  const items = Array.from({ length: n }, (_, i) => i);
  const runs: Record<string, () => AsyncIterable<number>> = {
    "mapIterable 'input'": () => mapIterable(items, mapper, { concurrency: CONCURRENCY }),
    "mapIterable 'completion'": () =>
      mapIterable(items, mapper, { concurrency: CONCURRENCY, order: 'completion' }),
    pMapIterable: () => {
      const signal = new AbortController().signal;
      return pMapIterable(items, (item) => mapper(item, signal), { concurrency: CONCURRENCY });
    },
  };
  const contenders: Contender[] = [];
  for (const [name, run] of Object.entries(runs)) {
    assertDrained(name, await drain(run()), n);
    contenders.push({ name, sample: async () => assertDrained(name, await drain(run()), n) });
  }
  const [input, completion, theirs] = await measure(contenders, config.plan(PLAN));
  const scale = nsPerTask(n);
  const baseline = side(need(theirs), scale);
  const target = { text: '≥ 2× faster (≤ 0.5×)', maxRatio: 0.5 };
  const base = { group: GROUP, n: formatN(n), unit: 'ns/item', baseline, target };
  return [
    row({
      ...base,
      case: "mapIterable array c16 'input' vs pMapIterable",
      subject: side(need(input), scale),
    }),
    row({
      ...base,
      case: "mapIterable array c16 'completion' vs pMapIterable",
      subject: side(need(completion), scale),
    }),
  ];
}

/** An endless source: the numbers from 0, never done. */
function* endless(): Generator<number> {
  for (let i = 0; ; i++) yield i;
}

function heapAfterGc(): number {
  fullGc();
  fullGc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap growth after GC while one `mapIterable` over an endless source is read for
 * `n` items: measured between the first 1e4 items (the call set up and warm) and
 * the n-th, with the iterator still open; then the loop is left.
 */
async function endlessGrowth(n: number): Promise<number> {
  const warm = Math.min(1e4, n / 10);
  const iterator = mapIterable(endless(), mapper, { concurrency: CONCURRENCY });
  let read = 0;
  let before = 0;
  for await (const value of iterator) {
    if (value !== read) throw new Error(`endless mapIterable: read ${value}, expected ${read}`);
    read++;
    if (read === warm) before = heapAfterGc();
    if (read === n) break;
  }
  // `break` closed the loop; the iterator object is still referenced here.
  const after = heapAfterGc();
  if (read !== n) throw new Error(`endless mapIterable: read ${read} items, expected ${n}`);
  void iterator;
  return after - before;
}

async function endlessMemory(config: Config): Promise<Row[]> {
  const n = config.size(1e6, 1e4);
  const reps = config.quick ? 1 : 3;
  const growth: number[] = [];
  for (let rep = 0; rep < reps; rep++) growth.push(await endlessGrowth(n));
  const megabytes = growth.map((bytes) => bytes / 2 ** 20);
  const subject: Side = { name: 'p-gather', value: median(megabytes), samples: megabytes.length };
  const limit: Side = { name: 'limit', value: 2, samples: 0 };
  return [
    row({
      group: GROUP,
      case: `endless mapIterable c16: heap growth after GC (min ${Math.min(...megabytes).toFixed(2)}, max ${Math.max(...megabytes).toFixed(2)})`,
      n: formatN(n),
      unit: 'MB',
      subject,
      baseline: limit,
      target: { text: '≤ 2 MB (≤ 1× the limit)', maxRatio: 1 },
    }),
  ];
}

export async function streamsCases(config: Config): Promise<Row[]> {
  const n = config.size(1e5, 1e3);
  return [
    ...(await mapOverArray(config, n)),
    ...(await mapOverGenerator(config, n)),
    ...(await mapIterableOverArray(config, n)),
    ...(await endlessMemory(config)),
  ];
}
