import { describeValue } from './describe';
import type { IsolateOptions } from './option-types';
import { absorbRejection } from './promises';
import type { TaskResult } from './result-types';
import type { IsolateTask } from './types';

/**
 * Wraps one task so that its failure is contained: the isolated task resolves with
 * `fallback` (after awaiting `onError`) instead of rejecting, so inside `gather` it
 * never cancels its siblings. Cancellation is not a failure: if the signal it was
 * called with is aborted when the failure is observed, the failure goes through —
 * as Python's `except Exception` never catches `CancelledError`.
 *
 * `onError` may throw or reject to let a failure through (contain only some
 * errors). `fallback` is used as a value: a function is returned, not called; a
 * thenable is adopted. A promise passed in gets its handlers at once, so a promise
 * that rejects before its gather runs is never reported unhandled.
 *
 * @param task - A task function, a promise, or any other value. A task function is
 * called with the signal the isolated task is called with; called directly without
 * one, it receives `undefined`.
 * @param options - `fallback` (default `undefined`) and `onError`.
 * @throws TypeError - at once, when `options` is not an object or `onError` is not a function.
 *
 * @example
 * ```ts
 * const [user, ads] = await gather([
 *   (signal) => fetchUser(signal),
 *   isolate((signal) => fetchAds(signal), { fallback: [], onError: (error) => log.warn(error) }),
 * ]);
 * ```
 */
export function isolate<R, F = undefined>(
  task: (signal: AbortSignal) => R,
  options?: IsolateOptions<F>,
): (signal?: AbortSignal) => Promise<Awaited<R> | Awaited<F>>;
export function isolate<T, F = undefined>(
  task: IsolateTask<T>,
  options?: IsolateOptions<F>,
): (signal?: AbortSignal) => Promise<TaskResult<T> | Awaited<F>>;
export function isolate(
  task: unknown,
  options?: IsolateOptions<unknown>,
): (signal?: AbortSignal) => Promise<unknown> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const onError = options?.onError;
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError(`Expected \`onError\` to be a function, got ${describeValue(onError)}`);
  }
  const fallback = options?.fallback;
  const recover = async (error: unknown, signal: AbortSignal | undefined): Promise<unknown> => {
    if (signal?.aborted) throw error;
    // Called as `options.onError(error)`: a method of the options keeps its `this`.
    if (onError !== undefined) await onError.call(options, error);
    return fallback;
  };

  if (typeof task === 'function') {
    return (signal) => {
      let result: unknown;
      try {
        result = task(signal);
      } catch (error) {
        return recover(error, signal);
      }
      return Promise.resolve(result).then(undefined, (error: unknown) => recover(error, signal));
    };
  }

  // Handlers now, not when the gather runs: a promise that rejects before then is
  // handled. Only native promises: a lazy thenable is not started before it is needed.
  absorbRejection(task);
  return (signal) =>
    Promise.resolve(task).then(undefined, (error: unknown) => recover(error, signal));
}
