export { asCompleted } from './as-completed';
export { first } from './first';
export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export { map, mapSettled } from './map';
export { mapIterable } from './map-iterable';
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
