/**
 * `TaskGroup`: `spawn` of async task functions, then `await group.join()` — 1e5
 * tasks, and a small group of 10 made many times in a row — against `gather` of
 * the same task functions and, to relate both to the platform,
 * `Promise.all(fns.map((f) => f(signal)))` with the one signal the call must make.
 *
 * The group's timed samples keep only the last spawned promise (to check its value
 * after `join()`); what a caller who wants every result pays on top — one promise
 * per spawn kept, and a `Promise.all` over them — is not measured here. Before
 * timing, every spawned promise's value is checked against `gather`'s results.
 */
import {
  type AsyncTask,
  assertEnds,
  assertSameArray,
  asyncTasks,
  type Config,
  type Contender,
  gather,
  largeCallAndSmallCalls,
  measure,
  promiseAll,
  TaskGroup,
} from '../harness';
import { type Row, rowsPerSize } from '../report';

const GROUP = 'task-group';

/** Untimed: spawns every task, joins, and returns every spawned promise's value, in order. */
async function spawnAll(fns: readonly AsyncTask[]): Promise<number[]> {
  const group = new TaskGroup();
  const spawned: Promise<number>[] = new Array(fns.length);
  for (let i = 0; i < fns.length; i++) spawned[i] = group.spawn(fns[i] as AsyncTask);
  const joined = await group.join();
  if (joined !== undefined) throw new Error('TaskGroup: join() resolved with a value');
  return Promise.all(spawned);
}

/** One loop per contender, so each call site sees one kind of call. A sample is `calls` calls. */
function contenders(fns: readonly AsyncTask[], calls: number): Contender[] {
  const n = fns.length;
  return [
    {
      name: 'p-gather TaskGroup',
      sample: async () => {
        for (let call = 0; call < calls; call++) {
          const group = new TaskGroup();
          for (let i = 0; i < n - 1; i++) group.spawn(fns[i] as AsyncTask);
          const last = group.spawn(fns[n - 1] as AsyncTask);
          await group.join();
          if ((await last) !== n - 1) throw new Error('TaskGroup: wrong last result');
        }
      },
    },
    {
      name: 'gather',
      sample: async () => {
        for (let call = 0; call < calls; call++) assertEnds('gather', await gather(fns), n);
      },
    },
    {
      name: 'Promise.all',
      sample: async () => {
        for (let call = 0; call < calls; call++) {
          assertEnds('Promise.all', await promiseAll(fns), n);
        }
      },
    },
  ];
}

export async function taskGroupCases(config: Config): Promise<Row[]> {
  const sizes = largeCallAndSmallCalls(config);
  const rows: Row[] = [];
  for (const { n, calls, plan } of sizes) {
    const fns = asyncTasks(n);
    const expected = fns.map((_, i) => i);
    // Untimed: the group's spawned promises, gather and Promise.all give the same results.
    assertSameArray('Promise.all', await promiseAll(fns), expected);
    assertSameArray('gather vs Promise.all', await gather(fns), expected);
    assertSameArray('TaskGroup spawned values vs Promise.all', await spawnAll(fns), expected);

    const [subject, gathered, all] = await measure(contenders(fns, calls), config.plan(plan));
    if (subject === undefined || gathered === undefined || all === undefined) {
      throw new Error('contenders missing');
    }
    rows.push(
      ...rowsPerSize(
        GROUP,
        { n, calls },
        (small) =>
          small ? `TaskGroup: ${n} spawns + join per call` : 'TaskGroup: spawn each + join',
        subject,
        [
          ['gather', gathered],
          ['Promise.all', all],
        ],
      ),
    );
  }
  return rows;
}
