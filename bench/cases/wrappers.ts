/**
 * The task wrappers (SPEC › Task wrappers › Types and performance): a gather of 1e5
 * async task functions, each wrapped in `retry` (nothing fails) or in
 * `withTimeout(…, 60_000)` (all in time), against the least the same can cost by
 * hand — a closure plus one `.then` per task; an `AbortController` plus
 * `setTimeout` / `clearTimeout` per task — and against the bare gather. Each sample
 * wraps as it calls, as `gather(ids.map((id) => retry(…)))` does.
 */
import type * as PGather from '../../src/index';
import {
  type AsyncTask,
  assertEnds,
  assertSameArray,
  asyncTasks,
  type Config,
  gather,
  measure,
} from '../harness';
import { formatN, nsPerTask, type Row, row, side } from '../report';

const GROUP = 'wrappers';
const distUrl = new URL('../../dist/index.js', import.meta.url).href;
const { retry, withTimeout }: typeof PGather = await import(distUrl);

function rethrow(error: unknown): never {
  throw error;
}

function abortOnTimeout(controller: AbortController): void {
  controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
}

/** The least a retry wrapper costs when nothing fails: a closure and one `.then`. */
function closureAndThen(f: AsyncTask): (signal: AbortSignal) => Promise<number> {
  return (signal) => f(signal).then(undefined, rethrow);
}

/** The least a per-task deadline costs: its own controller and a timer, cleared either way. */
function controllerAndTimer(f: AsyncTask): (signal: AbortSignal) => Promise<number> {
  return () => {
    const controller = new AbortController();
    const timer = setTimeout(abortOnTimeout, 60_000, controller);
    return f(controller.signal).then(
      (value) => {
        clearTimeout(timer);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw error;
      },
    );
  };
}

export async function wrapperCases(config: Config): Promise<Row[]> {
  const n = config.size(1e5, 1e3);
  const fns = asyncTasks(n);
  const expected = fns.map((_, i) => i);
  const viaRetry = () => gather(fns.map((f) => retry(f)));
  const viaClosure = () => gather(fns.map(closureAndThen));
  const viaTimeout = () => gather(fns.map((f) => withTimeout(f, 60_000)));
  const viaController = () => gather(fns.map(controllerAndTimer));
  // Untimed: every contender gives the bare gather's results.
  assertSameArray('retry', await viaRetry(), expected);
  assertSameArray('closure + .then', await viaClosure(), expected);
  assertSameArray('withTimeout', await viaTimeout(), expected);
  assertSameArray('AbortController + timer', await viaController(), expected);

  const samples = await measure(
    [
      { name: 'retry', sample: async () => assertEnds('retry', await viaRetry(), n) },
      {
        name: 'closure + .then',
        sample: async () => assertEnds('closure', await viaClosure(), n),
      },
      {
        name: 'withTimeout',
        sample: async () => assertEnds('withTimeout', await viaTimeout(), n),
      },
      {
        name: 'AbortController + setTimeout',
        sample: async () => assertEnds('controller', await viaController(), n),
      },
      { name: 'bare gather', sample: async () => assertEnds('gather', await gather(fns), n) },
    ],
    config.plan({ rounds: 3, time: 400, iterations: 8, warmupIterations: 2, gcEachSample: false }),
  );
  const [retried, closure, timed, controller, bare] = samples;
  if (!retried || !closure || !timed || !controller || !bare) throw new Error('contenders missing');
  const scale = nsPerTask(n);
  const base = { group: GROUP, n: formatN(n), unit: 'ns/task' };
  return [
    row({
      ...base,
      case: 'retry, no failure, vs a closure + one .then per task',
      subject: side(retried, scale),
      baseline: side(closure, scale),
      target: { text: '≤ 1.25×', maxRatio: 1.25 },
    }),
    // The cost per task against the bare gather, reported only: issue 14 asked for
    // ≤ 1.5× here, but a closure and one `.then` per task alone cost more than
    // that; SPEC's rows above are the ones judged.
    row({
      ...base,
      case: 'retry, no failure, vs the bare gather',
      subject: side(retried, scale),
      baseline: side(bare, scale),
    }),
    row({
      ...base,
      case: '  a closure + one .then per task vs the bare gather',
      subject: side(closure, scale),
      baseline: side(bare, scale),
    }),
    row({
      ...base,
      case: 'withTimeout(…, 60_000) vs AbortController + setTimeout/clearTimeout',
      subject: side(timed, scale),
      baseline: side(controller, scale),
      target: { text: '≤ 1.5×', maxRatio: 1.5 },
    }),
    row({
      ...base,
      case: 'withTimeout(…, 60_000) vs the bare gather',
      subject: side(timed, scale),
      baseline: side(bare, scale),
    }),
  ];
}
