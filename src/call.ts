import { readCollection } from './collection';
import { SharedLimit } from './limits/shared-limit';
import { Window } from './limits/window';
import { readOptions } from './options';
import { keptLists } from './own-list';
import { fulfilledPromise } from './promises';
import type { Rules } from './rules';
import { Run } from './run';

/**
 * Two idle runs, one with a window and one with a shared limiter, kept for the
 * life of the module: a full collection must not free the hidden classes of
 * `Run` and of the limiters, and with them the optimised code of every call
 * (ARCHITECTURE.md, "After a full collection").
 */
let idleRuns: object[] | undefined;

/**
 * Options are checked and the input read — either may throw, before anything
 * starts — then the run is made; {@link beginRun} starts it.
 */
export function createRun<C>(
  rules: Rules<C>,
  context: C,
  tasks: unknown,
  options: unknown,
): Run<C> {
  const settings = readOptions(options);
  const run = new Run(rules, context, readCollection(tasks), settings);
  // Made by a call without a context of its own, so that they hold nothing of any call.
  if (idleRuns === undefined && context === undefined) {
    const windowed = new Run(rules, context, readCollection([]), readOptions(undefined));
    const shared = new Run(rules, context, readCollection([]), readOptions(undefined));
    windowed.limiter = new Window(1, windowed);
    // An idle run never enqueues: its limit function is never called.
    shared.limiter = new SharedLimit(fulfilledPromise, shared);
    idleRuns = [windowed, shared, keptLists];
  }
  return run;
}

/** Begins `run`; an error from a place no task owns becomes its crash, never a throw. */
export function beginRun<C>(run: Run<C>): Run<C> {
  try {
    run.begin();
  } catch (error) {
    run.crash(error);
  }
  return run;
}

/**
 * Every error, bad arguments included, becomes the returned promise's rejection:
 * a public function never throws synchronously.
 */
export function startCall(
  rules: Rules<undefined>,
  tasks: unknown,
  options: unknown,
): Promise<unknown> {
  let run: Run<undefined>;
  try {
    run = createRun(rules, undefined, tasks, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return beginRun(run).promise;
}
