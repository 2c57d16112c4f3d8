export { gather, gatherSettled } from './gather';
export { isolate } from './isolate';
export type {
  AbortSignalLike,
  AnyTask,
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
