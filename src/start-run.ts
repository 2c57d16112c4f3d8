import { readCollection } from './collection';
import { readOptions } from './options';
import type { Run } from './run';
import { createStartPolicy } from './start';

/** A kind of run — what an outcome means for one of the public functions. */
export type RunClass<R extends Run> = new (...args: ConstructorParameters<typeof Run>) => R;

/**
 * Input → run: options are checked, the input is read, and only then is anything
 * started. Bad arguments and read errors throw, before any task starts; an error
 * from a place no task owns while starting (a throwing signal-like) becomes the
 * run's crash, never a throw.
 */
export function startRun<R extends Run>(
  RunOfCall: RunClass<R>,
  tasks: unknown,
  options: unknown,
): R {
  const settings = readOptions(options);
  const collection = readCollection(tasks);
  const run = new RunOfCall(collection, settings);
  run.policy = createStartPolicy(settings, collection.values.length);
  try {
    run.begin(settings);
  } catch (error) {
    run.crash(error);
  }
  return run;
}
