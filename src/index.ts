export { asCompleted } from './as-completed';
export { backoff } from './backoff';
export { first } from './first';
export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export { map, mapSettled } from './map';
export { mapIterable } from './map-iterable';
export { retry } from './retry';
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
  MapIterableIterator,
  MapIterableOptions,
  MapOptions,
  Mapper,
  SourceItem,
  Task,
  TaskFunction,
  TaskGroupOptions,
  TaskResult,
} from './types';
export { withTimeout } from './with-timeout';
export type { RetryOptions } from './wrapper-types';
