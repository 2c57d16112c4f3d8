/**
 * `for await (const entry of asCompleted(fns))` over async task functions (1e5,
 * and a small call of 10 tasks made many times in a row), against the completion
 * queue a user would write without the library: every task function started with
 * one AbortController's signal, `.then` handlers that push `{ key, status,
 * value | reason }` entries into an array and wake the waiting consumer, and an
 * async iterator that hands them out in completion order — written two ways, as a
 * manual async iterator (the main baseline) and as an async generator.
 *
 * Both baselines are what a careful user writes: a head index instead of
 * `shift()` (which is O(n) once the array is in large-object space), one promise
 * per wait, and the signal aborted only when the loop is left with tasks running.
 * Unlike `asCompleted` they serve one waiting `next()` at a time (enough for
 * `for await`), and have no timeout, caller's signal or concurrency bound.
 */
import {
  type AsyncTask,
  asCompleted,
  asyncTasks,
  type Config,
  type Contender,
  largeCallAndSmallCalls,
  measure,
} from '../harness';
import { type Row, rowsPerSize } from '../report';

const GROUP = 'as-completed';

type Entry =
  | { key: number; status: 'fulfilled'; value: number }
  | { key: number; status: 'rejected'; reason: unknown };

type Step = IteratorResult<Entry, undefined>;

/** A task function as both baselines call it: with the signal, maybe throwing. */
type Fn = (signal: AbortSignal) => Promise<number>;

/**
 * The manual async iterator: tasks start in the constructor (as `asCompleted`
 * starts them during the call); outcomes go to the waiting `next()` or into the
 * queue.
 */
class CompletionQueue implements AsyncIterableIterator<Entry> {
  private readonly controller = new AbortController();
  private queue: (Entry | undefined)[] = [];
  private head = 0;
  /** Entries not yet handed out. */
  private undelivered: number;
  /** Tasks not yet settled: the signal is aborted on `return()` only while some run. */
  private running: number;
  private waiter: ((step: Step) => void) | undefined = undefined;
  private left = false;

  constructor(fns: readonly Fn[]) {
    this.undelivered = fns.length;
    this.running = fns.length;
    const signal = this.controller.signal;
    for (let key = 0; key < fns.length; key++) {
      let promise: Promise<number>;
      try {
        promise = (fns[key] as Fn)(signal);
      } catch (reason) {
        this.push({ key, status: 'rejected', reason });
        continue;
      }
      promise.then(
        (value) => this.push({ key, status: 'fulfilled', value }),
        (reason) => this.push({ key, status: 'rejected', reason }),
      );
    }
  }

  private push(entry: Entry): void {
    this.running--;
    if (this.left) return;
    const waiter = this.waiter;
    if (waiter === undefined) {
      this.queue.push(entry);
      return;
    }
    this.waiter = undefined;
    this.undelivered--;
    waiter({ done: false, value: entry });
  }

  next(): Promise<Step> {
    const queue = this.queue;
    if (this.head < queue.length) {
      const value = queue[this.head] as Entry;
      queue[this.head++] = undefined;
      if (this.head === queue.length) {
        this.queue = [];
        this.head = 0;
      }
      this.undelivered--;
      return Promise.resolve({ done: false, value });
    }
    if (this.undelivered === 0 || this.left)
      return Promise.resolve({ done: true, value: undefined });
    return new Promise<Step>((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<Step> {
    if (!this.left) {
      this.left = true;
      this.queue = [];
      this.head = 0;
      this.waiter?.({ done: true, value: undefined });
      this.waiter = undefined;
      if (this.running > 0) this.controller.abort();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The async generator: the same queue, drained a batch at a time (swap the arrays). */
async function* completionGenerator(fns: readonly Fn[]): AsyncGenerator<Entry, void, undefined> {
  const controller = new AbortController();
  const signal = controller.signal;
  let queue: Entry[] = [];
  let wake: (() => void) | undefined;
  let running = fns.length;
  const push = (entry: Entry): void => {
    running--;
    queue.push(entry);
    if (wake !== undefined) {
      const resolve = wake;
      wake = undefined;
      resolve();
    }
  };
  for (let key = 0; key < fns.length; key++) {
    let promise: Promise<number>;
    try {
      promise = (fns[key] as Fn)(signal);
    } catch (reason) {
      push({ key, status: 'rejected', reason });
      continue;
    }
    promise.then(
      (value) => push({ key, status: 'fulfilled', value }),
      (reason) => push({ key, status: 'rejected', reason }),
    );
  }
  let undelivered = fns.length;
  try {
    while (undelivered > 0) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const batch = queue;
      queue = [];
      for (const entry of batch) {
        undelivered--;
        yield entry;
      }
    }
  } finally {
    if (running > 0) controller.abort();
  }
}

/** Untimed: every entry of `iterable`, in the order it came. */
async function collect(iterable: AsyncIterable<Entry>): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const entry of iterable) entries.push(entry);
  return entries;
}

/**
 * Throws unless `actual` and `expected` hold the same entries (key, status,
 * value or reason), each key once, in any order: the same multiset.
 */
function assertSameEntries(label: string, actual: readonly Entry[], expected: readonly Entry[]) {
  const byKey = (entries: readonly Entry[], side: string): Entry[] => {
    const slots: Entry[] = new Array(expected.length);
    for (const entry of entries) {
      if (!Number.isInteger(entry.key) || entry.key < 0 || entry.key >= expected.length) {
        throw new Error(`${label}: ${side} has an entry with key ${String(entry.key)}`);
      }
      if (slots[entry.key] !== undefined) {
        throw new Error(`${label}: ${side} has key ${entry.key} twice`);
      }
      slots[entry.key] = entry;
    }
    return slots;
  };
  if (actual.length !== expected.length) {
    throw new Error(`${label}: ${actual.length} entries, expected ${expected.length}`);
  }
  const a = byKey(actual, 'p-gather');
  const e = byKey(expected, 'baseline');
  for (let key = 0; key < expected.length; key++) {
    const x = a[key];
    const y = e[key];
    const same =
      x !== undefined &&
      y !== undefined &&
      x.status === y.status &&
      (x.status === 'fulfilled'
        ? Object.is(x.value, (y as { value: unknown }).value)
        : Object.is(x.reason, (y as { reason: unknown }).reason));
    if (!same) {
      throw new Error(
        `${label}: key ${key} is ${JSON.stringify(x)}, expected ${JSON.stringify(y)}`,
      );
    }
  }
}

/**
 * Untimed, beyond the timed tasks (which all fulfil): a mixed input — rejections,
 * a synchronous throw, a task that resolves a few microtasks later — on which both
 * baselines and `asCompleted` must also agree, so the baselines do the same job.
 */
function mixedTasks(n: number): Fn[] {
  const fns: Fn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const failure = new Error(`task ${i} failed`);
    switch (i % 5) {
      case 1:
        fns[i] = async () => {
          throw failure;
        };
        break;
      case 2:
        fns[i] = async () => {
          await null;
          await null;
          return i;
        };
        break;
      case 3:
        fns[i] = () => {
          throw failure;
        };
        break;
      default:
        fns[i] = async () => i;
    }
  }
  return fns;
}

async function checkAgreement(n: number): Promise<void> {
  for (const [what, fns] of [
    ['async tasks', asyncTasks(n)],
    ['mixed tasks', mixedTasks(n)],
  ] as const) {
    const subject = await collect(asCompleted(fns as readonly Fn[]) as AsyncIterable<Entry>);
    const queue = await collect(new CompletionQueue(fns));
    const generator = await collect(completionGenerator(fns));
    assertSameEntries(`asCompleted vs completion queue, ${what}, n=${n}`, subject, queue);
    assertSameEntries(`asCompleted vs async generator, ${what}, n=${n}`, subject, generator);
  }
}

/** The O(1) check inside timed samples: `n` entries whose values sum to 0 + … + n-1. */
function checkTally(label: string, count: number, sum: number, n: number): void {
  if (count !== n || sum !== (n * (n - 1)) / 2) {
    throw new Error(`${label}: ${count} entries summing to ${sum}`);
  }
}

/**
 * One `for await` loop per contender (not a shared helper), so each loop's call
 * sites see one iterator class only. A sample is `calls` whole iterations.
 */
function contenders(fns: readonly AsyncTask[], calls: number): Contender[] {
  const n = fns.length;
  const tasks = fns as readonly Fn[];
  return [
    {
      name: 'p-gather',
      sample: async () => {
        for (let call = 0; call < calls; call++) {
          let count = 0;
          let sum = 0;
          for await (const entry of asCompleted(fns)) {
            count++;
            if (entry.status === 'fulfilled') sum += entry.value;
          }
          checkTally('asCompleted', count, sum, n);
        }
      },
    },
    {
      name: 'completion queue',
      sample: async () => {
        for (let call = 0; call < calls; call++) {
          let count = 0;
          let sum = 0;
          for await (const entry of new CompletionQueue(tasks)) {
            count++;
            if (entry.status === 'fulfilled') sum += entry.value;
          }
          checkTally('completion queue', count, sum, n);
        }
      },
    },
    {
      name: 'async generator',
      sample: async () => {
        for (let call = 0; call < calls; call++) {
          let count = 0;
          let sum = 0;
          for await (const entry of completionGenerator(tasks)) {
            count++;
            if (entry.status === 'fulfilled') sum += entry.value;
          }
          checkTally('async generator', count, sum, n);
        }
      },
    },
  ];
}

export async function asCompletedCases(config: Config): Promise<Row[]> {
  const sizes = largeCallAndSmallCalls(config);
  const rows: Row[] = [];
  for (const { n, calls, plan } of sizes) {
    await checkAgreement(n);
    const fns = asyncTasks(n);
    const [subject, queue, generator] = await measure(contenders(fns, calls), config.plan(plan));
    if (subject === undefined || queue === undefined || generator === undefined) {
      throw new Error('contenders missing');
    }
    rows.push(
      ...rowsPerSize(
        GROUP,
        { n, calls },
        (small) =>
          small ? `asCompleted: a call with ${n} async tasks` : 'asCompleted: async tasks',
        subject,
        [
          ['completion queue', queue],
          ['async generator', generator],
        ],
      ),
    );
  }
  return rows;
}
