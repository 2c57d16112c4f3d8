export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export type {
  AbortSignalLike,
  AnyTask,
  GatherOptions,
  GatherResult,
  GatherSettledResult,
  IsolateOptions,
  Limiter,
  Task,
  TaskFunction,
  TaskResult,
} from './types';
