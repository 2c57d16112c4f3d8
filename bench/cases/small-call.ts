/**
 * The common drop-in use: one `await gather([...])` of 3 async task functions,
 * against `Promise.all` of the same plus the one signal the call must make. A
 * sample is many calls in a row, each awaited.
 */
import { assertSameArray, asyncTasks, type Config, gather, measure } from '../harness';
import { type Row, row, side } from '../report';

export async function smallCallCases(config: Config): Promise<Row[]> {
  const calls = config.size(1000, 50);
  const fns = asyncTasks(3);
  const expected = [0, 1, 2];
  const check = (label: string, result: readonly number[]) => {
    if (result.length !== 3 || result[2] !== 2) throw new Error(`${label}: wrong result`);
  };
  assertSameArray('p-gather, 3 tasks', await gather(fns), expected);

  const [subject, baseline] = await measure(
    [
      {
        name: 'p-gather',
        sample: async () => {
          for (let call = 0; call < calls; call++) check('p-gather', await gather(fns));
        },
      },
      {
        name: 'Promise.all',
        sample: async () => {
          for (let call = 0; call < calls; call++) {
            const s = new AbortController().signal;
            check('Promise.all', await Promise.all(fns.map((f) => f(s))));
          }
        },
      },
    ],
    config.plan({
      rounds: 3,
      time: 600,
      iterations: 30,
      warmupIterations: 30,
      gcEachSample: false,
    }),
  );
  if (subject === undefined || baseline === undefined) throw new Error('contenders missing');
  const scale = 1e6 / calls;
  return [
    row({
      group: 'small-call',
      case: 'small call: 3 async task functions',
      n: `3 × ${calls} calls`,
      unit: 'ns/call',
      subject: side(subject, scale),
      baseline: side(baseline, scale),
      target: { text: '≤ 2×', maxRatio: 2 },
    }),
  ];
}
