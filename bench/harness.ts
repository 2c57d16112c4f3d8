/**
 * What every case group shares: the built package, the task shapes, the
 * tinybench wrapper that measures contenders side by side, and result checks.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import type * as PGather from '../src/index';

/**
 * The BUILT package (`npm run build` → dist/), typed from the sources so that
 * `tsc --noEmit` passes on a fresh clone where dist/ does not exist yet.
 * `P_GATHER_BUILD=path/to/index.js` measures another build instead: the way to
 * compare two commits in one sitting (CONTRIBUTING.md, "Comparing two commits").
 */
export const otherBuild = process.env.P_GATHER_BUILD || undefined;

/** The URL to import a build at `file` (a path, relative to the working directory) from. */
export function buildUrl(file: string): string {
  return pathToFileURL(path.resolve(file)).href;
}

export const distUrl =
  otherBuild === undefined
    ? new URL('../dist/index.js', import.meta.url).href
    : buildUrl(otherBuild);
const built: typeof PGather = await import(distUrl);
export const { asCompleted, gather, gatherSettled, TaskGroup } = built;

/** `async (signal) => i`; the signal is optional so p-all and p-queue can call it too. */
export type AsyncTask = (signal?: AbortSignal) => Promise<number>;
/** A task function that returns a plain value. */
export type SyncTask = (signal?: AbortSignal) => number;

export function asyncTasks(n: number): AsyncTask[] {
  const fns: AsyncTask[] = new Array(n);
  for (let i = 0; i < n; i++) fns[i] = async (_signal) => i;
  return fns;
}

export function syncTasks(n: number): SyncTask[] {
  const fns: SyncTask[] = new Array(n);
  for (let i = 0; i < n; i++) fns[i] = (_signal) => i;
  return fns;
}

/** The same work as `gather(fns)` with the one signal the call must make: the baseline. */
export function promiseAll<T>(fns: readonly ((signal: AbortSignal) => T)[]): Promise<Awaited<T>[]> {
  const signal = new AbortController().signal;
  return Promise.all(fns.map((f) => f(signal)));
}

/** A bare index-based worker loop: `concurrency` workers, each pulling the next index. */
export async function workerLoop<T>(
  fns: readonly ((signal: AbortSignal) => Promise<T>)[],
  concurrency: number,
): Promise<T[]> {
  const signal = new AbortController().signal;
  const results: T[] = new Array(fns.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < fns.length) {
      const index = next++;
      results[index] = await (fns[index] as (signal: AbortSignal) => Promise<T>)(signal);
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < Math.min(concurrency, fns.length); w++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/** The value of a `--name=value` command-line option, `undefined` when not given. */
export function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

/** `global.gc`, present when node runs with `--expose-gc` (the bench script does). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('Run node with --expose-gc (npm run bench does)');
  gc();
}

/** Throws unless `actual` holds exactly `expected`'s elements, in order. */
export function assertSameArray(
  label: string,
  actual: unknown,
  expected: readonly unknown[],
): void {
  if (!Array.isArray(actual)) throw new Error(`${label}: expected an array, got ${typeof actual}`);
  if (actual.length !== expected.length) {
    throw new Error(`${label}: ${actual.length} results, expected ${expected.length}`);
  }
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      throw new Error(
        `${label}: result ${i} is ${String(actual[i])}, expected ${String(expected[i])}`,
      );
    }
  }
}

/** A cheap O(1) check made inside timed samples: the length and the last slot. */
export function assertEnds(label: string, actual: unknown, n: number): void {
  if (!Array.isArray(actual) || actual.length !== n || actual[n - 1] !== n - 1) {
    throw new Error(`${label}: wrong result (length or last value)`);
  }
}

/** One thing measured: `sample` is one timed call of tinybench's task function. */
export interface Contender {
  readonly name: string;
  readonly sample: () => unknown;
  /** Untimed, before each sample (warmup included). */
  readonly beforeEach?: () => void;
}

/** How long to measure a group of contenders. */
export interface Plan {
  /** Benches run one after another, the contenders' order reversed every other round. */
  readonly rounds: number;
  /** tinybench `time` (ms of samples per contender per round)... */
  readonly time: number;
  /** ...and tinybench `iterations` (minimum samples per contender per round). */
  readonly iterations: number;
  readonly warmupIterations: number;
  /**
   * A full GC before every sample, so that no sample pays for its predecessor's
   * garbage. Only where a case asks for it: a forced full GC also throws away
   * optimized code that embeds objects of the previous call (V8 "weak objects"
   * deopts), which a steady-state caller does not meet before every call.
   */
  readonly gcEachSample: boolean;
}

/** Pooled samples of one contender, in milliseconds per sample. */
export interface Samples {
  readonly name: string;
  readonly ms: number[];
}

/**
 * Measures `contenders` in the same process, interleaved: `plan.rounds` tinybench
 * runs, each with every contender, alternating their order so drift on a noisy
 * machine falls on all of them. Returns every contender's pooled samples.
 */
export async function measure(contenders: readonly Contender[], plan: Plan): Promise<Samples[]> {
  const pooled = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < plan.rounds; round++) {
    const bench = new Bench({
      time: plan.time,
      iterations: plan.iterations,
      warmupTime: 0,
      warmupIterations: plan.warmupIterations,
      retainSamples: true,
      throws: true,
    });
    const ordered = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const contender of ordered) {
      const { beforeEach } = contender;
      bench.add(contender.name, contender.sample, {
        beforeEach: () => {
          if (plan.gcEachSample) fullGc();
          beforeEach?.();
        },
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state === 'errored') throw result.error;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      const samples = result.latency.samples;
      if (samples === undefined) throw new Error(`${task.name}: no samples retained`);
      pooled.get(task.name)?.push(...samples);
    }
  }
  return contenders.map((c) => ({ name: c.name, ms: pooled.get(c.name) ?? [] }));
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Sizes and times for one run: the full run, or `--quick` (a smoke test of the harness). */
export interface Config {
  readonly quick: boolean;
  /** `--gc-each-sample`: a full GC before every sample of every group. */
  readonly gcEachSample: boolean;
  /** `full` in a full run, `quick` with `--quick`. */
  size(full: number, quick: number): number;
  /** A plan scaled down to a smoke run with `--quick`. */
  plan(full: Plan): Plan;
}

export function createConfig(quick: boolean, gcEachSample: boolean): Config {
  return {
    quick,
    gcEachSample,
    size: (full, small) => (quick ? small : full),
    plan: (full) => {
      const gc = full.gcEachSample || gcEachSample;
      return quick
        ? { rounds: 1, time: 5, iterations: 2, warmupIterations: 1, gcEachSample: gc }
        : { ...full, gcEachSample: gc };
    },
  };
}

/** One size of a group that measures both a large call and many small ones. */
export interface CallSize {
  /** Tasks per call. */
  readonly n: number;
  /** Calls per sample. */
  readonly calls: number;
  readonly plan: Plan;
}

/**
 * The two sizes of the "beyond gather" groups: one call of 1e5 tasks (as the
 * unlimited group), and 1,000 calls of 10 tasks per sample (as small-call), since
 * small calls are the common use.
 */
export function largeCallAndSmallCalls(config: Config): CallSize[] {
  return [
    {
      n: config.size(1e5, 1e3),
      calls: 1,
      plan: { rounds: 3, time: 400, iterations: 8, warmupIterations: 2, gcEachSample: false },
    },
    {
      n: 10,
      calls: config.size(1000, 50),
      plan: { rounds: 3, time: 600, iterations: 30, warmupIterations: 30, gcEachSample: false },
    },
  ];
}
