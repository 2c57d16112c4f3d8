/** A shared `p-limit(16)` over 1e5 async task functions, against p-limit + Promise.all. */
import pLimit from 'p-limit';
import { assertEnds, assertSameArray, asyncTasks, type Config, gather, measure } from '../harness';
import { formatN, nsPerTask, type Row, row, side } from '../report';

export async function sharedLimitCases(config: Config): Promise<Row[]> {
  const n = config.size(1e5, 1e3);
  const fns = asyncTasks(n);
  const expected = fns.map((_, i) => i);
  // One limiter per contender, reused by every sample: shared, as in an app.
  const gatherLimit = pLimit(16);
  const baselineLimit = pLimit(16);
  const viaGather = () => gather(fns, { limit: gatherLimit });
  const viaPromiseAll = () => {
    const signal = new AbortController().signal;
    return Promise.all(fns.map((f) => baselineLimit(() => f(signal))));
  };
  assertSameArray('p-limit + Promise.all', await viaPromiseAll(), expected);
  assertSameArray('p-gather { limit } vs Promise.all', await viaGather(), expected);

  const [subject, baseline] = await measure(
    [
      { name: 'p-gather', sample: async () => assertEnds('p-gather', await viaGather(), n) },
      {
        name: 'p-limit + Promise.all',
        sample: async () => assertEnds('p-limit', await viaPromiseAll(), n),
      },
    ],
    config.plan({ rounds: 3, time: 400, iterations: 6, warmupIterations: 2, gcEachSample: false }),
  );
  if (subject === undefined || baseline === undefined) throw new Error('contenders missing');
  return [
    row({
      group: 'shared-limit',
      case: 'shared p-limit(16)',
      n: formatN(n),
      unit: 'ns/task',
      subject: side(subject, nsPerTask(n)),
      baseline: side(baseline, nsPerTask(n)),
      target: { text: '≤ 1.2×', maxRatio: 1.2 },
    }),
  ];
}
