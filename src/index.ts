export { asCompleted } from './as-completed';
export { backoff } from './backoff';
export { first } from './first';
export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export { map, mapSettled } from './map';
export { mapIterable } from './map-iterable';
export type {
  AbortSignalLike,
  GatherOptions,
  IsolateOptions,
  Limiter,
  TaskGroupOptions,
} from './option-types';
export type {
  AsCompletedEntry,
  AsCompletedIterator,
  CompletedEntry,
  FirstResult,
  GatherResult,
  GatherSettledResult,
  TaskResult,
} from './result-types';
export { retry } from './retry';
export type {
  MapIterableIterator,
  MapIterableOptions,
  MapOptions,
  Mapper,
  SourceItem,
} from './stream-types';
export { TaskGroup } from './task-group';
export type { AnyTask, GatherInput, GatherTasks, IsolateTask, Task, TaskFunction } from './types';
export { withTimeout } from './with-timeout';
export type { RetryOptions } from './wrapper-types';
