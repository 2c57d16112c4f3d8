/**
 * Heap per pending task: the heap growth, after a full GC, of a call whose 1e6
 * task functions all returned pending promises — against `Promise.all`. The task
 * functions and their promises exist before the first reading (the caller's), so
 * the delta is what the combinator itself holds per pending task.
 */
import { assertSameArray, type Config, fullGc, gather, median, promiseAll } from '../harness';
import { formatN, type Row, row, type Side } from '../report';

interface Input {
  fns: (() => Promise<number>)[];
  resolvers: ((value: number) => void)[];
}

function pendingInput(n: number): Input {
  const fns: (() => Promise<number>)[] = new Array(n);
  const resolvers: ((value: number) => void)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const promise = new Promise<number>((resolve) => {
      resolvers[i] = resolve;
    });
    fns[i] = () => promise;
  }
  return { fns, resolvers };
}

function heapAfterGc(): number {
  fullGc();
  fullGc();
  return process.memoryUsage().heapUsed;
}

/** Bytes per task held by `start(fns)` while every task is pending; then checks its results. */
async function bytesPerPendingTask(
  n: number,
  label: string,
  start: (fns: (() => Promise<number>)[]) => Promise<number[]>,
): Promise<number> {
  const { fns, resolvers } = pendingInput(n);
  const before = heapAfterGc();
  const call = start(fns);
  const after = heapAfterGc();
  for (let i = 0; i < n; i++) (resolvers[i] as (value: number) => void)(i);
  const result = await call;
  assertSameArray(
    label,
    result,
    Array.from({ length: n }, (_, i) => i),
  );
  return (after - before) / n;
}

function memorySide(name: string, bytes: number[]): Side {
  return { name, value: median(bytes), samples: bytes.length };
}

export async function memoryCases(config: Config): Promise<Row[]> {
  const n = config.size(1e6, 1e4);
  const reps = config.quick ? 1 : 3;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    // Alternate which goes first, as the timed cases do.
    const gatherFirst = rep % 2 === 0;
    if (gatherFirst) ours.push(await bytesPerPendingTask(n, 'p-gather', (fns) => gather(fns)));
    theirs.push(await bytesPerPendingTask(n, 'Promise.all', (fns) => promiseAll(fns)));
    if (!gatherFirst) ours.push(await bytesPerPendingTask(n, 'p-gather', (fns) => gather(fns)));
  }
  return [
    row({
      group: 'memory',
      case: 'memory per pending task',
      n: formatN(n),
      unit: 'B/task',
      subject: memorySide('p-gather', ours),
      baseline: memorySide('Promise.all', theirs),
      target: { text: '≤ 1.3×', maxRatio: 1.3 },
    }),
  ];
}
