import type { Limiter as LimitFunction } from '../option-types';
import type { Settings } from '../options';
import { SharedLimit } from './shared-limit';
import { Window } from './window';

/**
 * What a limiter sees of a run, a group or a stream: four methods, never their
 * state. `S` names a waiting task function — a slot index for a run, a queued
 * spawn for a group, an item pulled from a source for a stream.
 */
export interface LimiterHost<S> {
  /**
   * Takes the oldest task function waiting to start, or `undefined` when none
   * waits now — also once the host has ended, when nothing may start any more.
   */
  next(): S | undefined;
  /**
   * Calls the task function now. Returns the promise it returned, for the limiter
   * to await and hand to {@link settled}; or `undefined` when there is nothing to
   * await: it settled as it returned (its outcome is recorded), or the host had
   * ended and did not call it.
   */
  call(waiting: S): Promise<unknown> | undefined;
  /** The promise {@link call} returned has settled: the host records the outcome. */
  settled(waiting: S, fulfilled: boolean, outcome: unknown): void;
  /** The limiter refused it before calling it: the task fails with `error`. */
  refuse(waiting: S, error: unknown): void;
}

/**
 * Decides *when* task functions start: the host calls {@link enqueue} when one
 * starts waiting; the limiter takes it with `next()` when a place is free.
 */
export interface StartLimiter {
  enqueue(): void;
}

/**
 * The limiter for `settings`, or `undefined` — no limit, or a window at least as
 * wide as the `taskCount` tasks known up front — when every task function may
 * start at once, at no cost.
 */
export function createLimiter<S>(
  settings: Settings,
  host: LimiterHost<S>,
  taskCount: number,
): StartLimiter | undefined {
  const limit: LimitFunction | undefined = settings.limit;
  if (limit !== undefined) return new SharedLimit(limit, host);
  if (settings.concurrency < taskCount) return new Window(settings.concurrency, host);
  return undefined;
}
