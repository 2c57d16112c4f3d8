import { readCollection } from './collection';
import { readOptions, type Settings } from './options';
import type { Run } from './run';
import { createStartPolicy } from './start';

/** A kind of run — what an outcome means for one of the public functions. */
export type RunClass<R extends Run> = new (...args: ConstructorParameters<typeof Run>) => R;

/**
 * Input → run: options are checked, the input is read, and only then is anything
 * started. Bad arguments and read errors throw, before any task starts.
 */
export function startRun<R extends Run>(
  RunOfCall: RunClass<R>,
  tasks: unknown,
  options: unknown,
): R {
  const settings = readOptions(options);
  const collection = readCollection(tasks);
  const run = new RunOfCall(collection, settings);
  beginRun(run, settings, collection.values.length);
  return run;
}

/**
 * Gives `run` its start policy for `taskCount` tasks (`Infinity` when they are not
 * known up front) and begins it; an error from a place no task owns (a throwing
 * signal-like) becomes the run's crash, never a throw.
 */
export function beginRun(run: Run, settings: Settings, taskCount: number): void {
  run.policy = createStartPolicy(settings, taskCount);
  try {
    run.begin(settings);
  } catch (error) {
    run.crash(error);
  }
}
