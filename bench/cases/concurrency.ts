/**
 * `concurrency: 16` and `256` over 1e5 async task functions, against p-map and a
 * bare index-based worker loop; at 16 also p-all, Effect.all and p-queue.
 */
import { Effect } from 'effect';
import pAll from 'p-all';
import pMap from 'p-map';
import PQueue from 'p-queue';
import {
  assertEnds,
  assertSameArray,
  asyncTasks,
  type Config,
  type Contender,
  gather,
  measure,
  workerLoop,
} from '../harness';
import { formatN, nsPerTask, type Row, row, side } from '../report';

const GROUP = 'concurrency';

export async function concurrencyCases(config: Config): Promise<Row[]> {
  const n = config.size(1e5, 1e3);
  const fns = asyncTasks(n);
  const expected = fns.map((_, i) => i);
  const rows: Row[] = [];
  for (const concurrency of [16, 256]) {
    const withPeers = concurrency === 16;
    const runs: Record<string, () => Promise<unknown>> = {
      'p-gather': () => gather(fns, { concurrency }),
      'p-map': () => {
        const signal = new AbortController().signal;
        return pMap(fns, (f) => f(signal), { concurrency });
      },
      'worker loop': () => workerLoop(fns, concurrency),
    };
    if (withPeers) {
      runs['p-all'] = () => pAll(fns, { concurrency });
      runs[`Effect.all ${concurrency}`] = () =>
        Effect.runPromise(
          Effect.all(
            fns.map((f) => Effect.promise(() => f())),
            { concurrency },
          ),
        );
      runs['p-queue'] = () => {
        // p-queue calls a task with an options object, which these tasks ignore.
        const tasks: readonly (() => Promise<number>)[] = fns;
        return new PQueue({ concurrency }).addAll(tasks);
      };
    }
    const contenders: Contender[] = [];
    for (const [name, run] of Object.entries(runs)) {
      assertSameArray(`${name} (concurrency ${concurrency})`, await run(), expected);
      contenders.push({ name, sample: async () => assertEnds(name, await run(), n) });
    }

    const measured = await measure(contenders, {
      ...config.plan({
        rounds: 3,
        time: 400,
        iterations: 6,
        warmupIterations: 2,
        gcEachSample: false,
      }),
    });
    const [subject, pMapped, workers, ...peers] = measured;
    if (subject === undefined || pMapped === undefined || workers === undefined) {
      throw new Error('contenders missing');
    }
    const scale = nsPerTask(n);
    const base = {
      group: GROUP,
      n: formatN(n),
      unit: 'ns/task',
      subject: side(subject, scale),
    };
    rows.push(
      row({
        ...base,
        case: `concurrency ${concurrency} vs p-map`,
        baseline: side(pMapped, scale),
        target: { text: '≥ 3× faster (≤ 0.33×)', maxRatio: 1 / 3 },
      }),
      row({
        ...base,
        case: `concurrency ${concurrency} vs worker loop`,
        baseline: side(workers, scale),
        target: { text: '≤ 1.5×', maxRatio: 1.5 },
      }),
    );
    for (const peer of peers) {
      rows.push(
        row({
          ...base,
          case: `  concurrency ${concurrency}: peer ${peer.name}`,
          baseline: side(peer, scale),
        }),
      );
    }
  }
  return rows;
}
