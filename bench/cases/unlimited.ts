/**
 * Unlimited `gather` against `Promise.all(fns.map((f) => f(signal)))`: async task
 * functions (1e3, 1e5, 1e6; at 1e5 also p-all and Effect.all) and sync ones.
 */
import { Effect } from 'effect';
import pAll from 'p-all';
import {
  type AsyncTask,
  assertEnds,
  assertSameArray,
  asyncTasks,
  type Config,
  type Contender,
  gather,
  measure,
  type Plan,
  promiseAll,
  type SyncTask,
  syncTasks,
} from '../harness';
import { formatN, nsPerTask, type Row, row, side } from '../report';

const GROUP = 'unlimited';

function planFor(n: number): Plan {
  // Calls of 50 µs: in three blocks of 400 ms per contender, one build read 0.79-1.63x
  // warm across five processes (each block meets the JIT and heap state its
  // predecessor left); in 24 blocks of 50 ms, the same total time, 1.17-1.20x.
  if (n <= 1e3)
    return { rounds: 24, time: 50, iterations: 50, warmupIterations: 50, gcEachSample: false };
  if (n <= 1e5)
    return { rounds: 3, time: 400, iterations: 8, warmupIterations: 2, gcEachSample: false };
  return { rounds: 3, time: 0, iterations: 8, warmupIterations: 1, gcEachSample: false };
}

function effectAll(
  fns: readonly AsyncTask[],
  concurrency: 'unbounded' | number,
): Promise<number[]> {
  return Effect.runPromise(
    Effect.all(
      fns.map((f) => Effect.promise(() => f())),
      { concurrency },
    ),
  );
}

export async function asyncUnlimited(config: Config): Promise<Row[]> {
  const sizes = [config.size(1e3, 100), config.size(1e5, 1e3), config.size(1e6, 2e3)];
  const peersAt = sizes[1];
  const rows: Row[] = [];
  for (const n of sizes) {
    const fns = asyncTasks(n);
    const expected = fns.map((_, i) => i);
    const contenders: Contender[] = [
      { name: 'p-gather', sample: async () => assertEnds('p-gather', await gather(fns), n) },
      {
        name: 'Promise.all',
        sample: async () => assertEnds('Promise.all', await promiseAll(fns), n),
      },
    ];
    if (n === peersAt) {
      contenders.push(
        { name: 'p-all', sample: async () => assertEnds('p-all', await pAll(fns), n) },
        {
          name: 'Effect.all unbounded',
          sample: async () => assertEnds('Effect.all', await effectAll(fns, 'unbounded'), n),
        },
      );
    }
    // Untimed: every contender gives exactly Promise.all's results.
    assertSameArray('Promise.all', await promiseAll(fns), expected);
    assertSameArray('p-gather vs Promise.all', await gather(fns), expected);
    if (n === peersAt) {
      assertSameArray('p-all', await pAll(fns), expected);
      assertSameArray('Effect.all', await effectAll(fns, 'unbounded'), expected);
    }

    const [subject, baseline, ...peers] = await measure(contenders, config.plan(planFor(n)));
    if (subject === undefined || baseline === undefined) throw new Error('contenders missing');
    const scale = nsPerTask(n);
    rows.push(
      row({
        group: GROUP,
        case: 'async task functions, unlimited',
        n: formatN(n),
        unit: 'ns/task',
        subject: side(subject, scale),
        baseline: side(baseline, scale),
        target: { text: '≤ 1.2×', maxRatio: 1.2 },
      }),
    );
    for (const peer of peers) {
      rows.push(
        row({
          group: GROUP,
          case: `  async, unlimited: peer ${peer.name}`,
          n: formatN(n),
          unit: 'ns/task',
          subject: side(subject, scale),
          baseline: side(peer, scale),
        }),
      );
    }
  }
  return rows;
}

export async function syncUnlimited(config: Config): Promise<Row[]> {
  const sizes = [config.size(1e5, 1e3), config.size(1e6, 2e3)];
  const rows: Row[] = [];
  for (const n of sizes) {
    const fns: SyncTask[] = syncTasks(n);
    const expected = fns.map((_, i) => i);
    assertSameArray('Promise.all', await promiseAll(fns), expected);
    assertSameArray('p-gather vs Promise.all', await gather(fns), expected);
    const [subject, baseline] = await measure(
      [
        { name: 'p-gather', sample: async () => assertEnds('p-gather', await gather(fns), n) },
        {
          name: 'Promise.all',
          sample: async () => assertEnds('Promise.all', await promiseAll(fns), n),
        },
      ],
      config.plan(planFor(n)),
    );
    if (subject === undefined || baseline === undefined) throw new Error('contenders missing');
    rows.push(
      row({
        group: GROUP,
        case: 'sync task functions, unlimited',
        n: formatN(n),
        unit: 'ns/task',
        subject: side(subject, nsPerTask(n)),
        baseline: side(baseline, nsPerTask(n)),
        target: { text: '≤ 1.0×', maxRatio: 1.0 },
      }),
    );
  }
  return rows;
}
