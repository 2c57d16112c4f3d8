export { first, gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export type {
  AbortSignalLike,
  AnyTask,
  FirstResult,
  GatherInput,
  GatherOptions,
  GatherResult,
  GatherSettledResult,
  IsolateOptions,
  Limiter,
  Task,
  TaskFunction,
  TaskResult,
} from './types';
