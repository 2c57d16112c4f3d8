import { absorbRejection, nativeThen } from './promises';
import type { Batch } from './rules';
import type { Run } from './run';
import { AWAITED, DONE, RUNNING } from './slots';

type PromiseCombinator = (this: PromiseConstructor, values: unknown[]) => Promise<unknown[]>;
const NativePromise = Promise;
const promiseAll = Promise.all as PromiseCombinator;
const promiseAllSettled = Promise.allSettled as PromiseCombinator;

/**
 * The fast path of an unlimited `gather`: the start loop only collects the
 * promises (in `values`, their slots RUNNING or AWAITED), and this hands them all
 * to the platform's own `Promise.all`, which waits on each with no closure and no
 * derived promise of ours — the reason `gather` keeps up with `Promise.all`. Its
 * rejection is the first failure, in the order `Promise.all` observes it.
 *
 * Called once the start loop is over. If the run ended inside it, nothing is
 * awaited: every collected promise gets a rejection handler instead, and with
 * `waitForCleanup` the run waits for the task functions' promises.
 */
function handOver<C>(run: Run<C>): void {
  const { values, state } = run;
  if (run.ended) {
    for (let slot = 0; slot < run.read; slot++) {
      if (state[slot] === RUNNING || state[slot] === AWAITED) absorbRejection(values[slot]);
    }
    if (run.waitForCleanup) holdForCleanup(run);
    return;
  }
  if (run.batchCount === 0) return;
  // Promise.all reads its input now: `values` is free to take the results afterwards.
  const waited =
    run.batchCount === values.length
      ? values
      : values.filter((_, slot) => state[slot] === RUNNING || state[slot] === AWAITED);
  nativeThen.call(
    promiseAll.call(NativePromise, waited),
    (results) => recordResults(run, results as unknown[]),
    (reason) => run.batchRejected(reason),
  );
}

/** `results` are in the order of the batched slots: each is recorded as that slot's outcome. */
function recordResults<C>(run: Run<C>, results: unknown[]): void {
  if (results.length === run.values.length) {
    run.completeWith(results);
    return;
  }
  const { state } = run;
  for (let slot = 0, k = 0; k < results.length && !run.ended; slot++) {
    if (state[slot] !== DONE) run.record(slot, true, results[k++]);
  }
}

/**
 * With `waitForCleanup`, after the run ended: it settles once every batched task
 * function's promise has settled (a promise of the input is the caller's, not waited for).
 */
function holdForCleanup<C>(run: Run<C>): void {
  const { values, state } = run;
  const running = values.filter((_, slot) => state[slot] === RUNNING);
  if (running.length === 0) return;
  nativeThen.call(
    promiseAllSettled.call(NativePromise, running),
    () => run.released(running.length),
    undefined,
  );
}

/** The batch `gather`'s rules hand to the run. */
export const promiseAllBatch: Batch = { handOver, holdForCleanup };
