/**
 * Fail fast with 1e5 pending siblings: the time from the failure (the failing
 * task's promise rejects) to `gather`'s rejection with every sibling's signal
 * aborted. Setup (starting the 1e5 siblings) is untimed, in `beforeEach`.
 */
import { type Config, type Contender, gather, measure } from '../harness';
import { formatN, type Row, row, side } from '../report';

interface Pending {
  call: Promise<unknown>;
  failure: Error;
  fail: (reason: unknown) => void;
  signals: Set<AbortSignal>;
}

/**
 * `siblingsSettle`: each sibling rejects when its signal aborts (one listener for
 * all of them, as Node adds listeners in O(n)), and the call uses
 * `waitForCleanup`, so it rejects only after all 1e5 have settled.
 */
function abortContender(n: number, siblingsSettle: boolean): Contender {
  let pending: Pending | undefined;
  return {
    name: siblingsSettle ? 'p-gather, waitForCleanup' : 'p-gather',
    beforeEach: () => {
      const signals = new Set<AbortSignal>();
      const forever = new Promise<never>(() => {});
      const rejecters: ((reason: unknown) => void)[] = [];
      const tasks: ((signal: AbortSignal) => Promise<number>)[] = new Array(n + 1);
      for (let i = 0; i < n; i++) {
        tasks[i] = (signal) => {
          if (!signals.has(signal)) {
            signals.add(signal);
            if (siblingsSettle) {
              signal.addEventListener('abort', () => {
                for (const reject of rejecters) reject(signal.reason);
              });
            }
          }
          if (!siblingsSettle) return forever;
          return new Promise<number>((_, reject) => {
            rejecters.push(reject);
          });
        };
      }
      let fail: (reason: unknown) => void = () => {};
      const failing = new Promise<number>((_, reject) => {
        fail = reject;
      });
      tasks[n] = () => failing;
      const call = gather(tasks, { waitForCleanup: siblingsSettle });
      pending = { call, failure: new Error('task failed'), fail, signals };
    },
    sample: async () => {
      if (pending === undefined) throw new Error('no pending call');
      const { call, failure, fail, signals } = pending;
      pending = undefined;
      fail(failure);
      let reason: unknown;
      try {
        await call;
      } catch (error) {
        reason = error;
      }
      if (reason !== failure) throw new Error('gather did not reject with the failure');
      for (const signal of signals) {
        if (!signal.aborted) throw new Error("a sibling's signal was not aborted");
      }
    },
  };
}

export async function abortCases(config: Config): Promise<Row[]> {
  const n = config.size(1e5, 1e3);
  const measured = await measure(
    [abortContender(n, false), abortContender(n, true)],
    config.plan({ rounds: 2, time: 0, iterations: 12, warmupIterations: 2, gcEachSample: false }),
  );
  return measured.map((samples, index) =>
    row({
      group: 'abort',
      case:
        index === 0
          ? 'abort: failure → rejection, siblings aborted'
          : 'abort, waitForCleanup: … siblings settled',
      n: `${formatN(n)} pending`,
      unit: 'µs',
      subject: side(samples, 1e3),
      target: undefined,
    }),
  );
}
