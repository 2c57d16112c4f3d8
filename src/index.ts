export { asCompleted } from './as-completed';
export { first } from './first';
export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export { TaskGroup } from './task-group';
export type {
  AbortSignalLike,
  AnyTask,
  AsCompletedEntry,
  AsCompletedIterator,
  CompletedEntry,
  FirstResult,
  GatherInput,
  GatherOptions,
  GatherResult,
  GatherSettledResult,
  GatherTasks,
  IsolateOptions,
  IsolateTask,
  Limiter,
  Task,
  TaskFunction,
  TaskGroupOptions,
  TaskResult,
} from './types';
