/**
 * Anything that behaves like an `AbortSignal` for p-gather's purpose: a boolean
 * `aborted`, a `reason` read when it aborts, and `addEventListener` /
 * `removeEventListener` for the `'abort'` event. Signals from other realms,
 * jsdom and polyfills fit.
 *
 * @example
 * ```ts
 * const signal: AbortSignalLike = new AbortController().signal;
 * ```
 */
export interface AbortSignalLike {
  /** Whether the signal has aborted; read when the call starts. */
  readonly aborted: boolean;
  /** Why it aborted: becomes the call's rejection reason, the same object. */
  readonly reason?: unknown;
  /** p-gather adds at most one `'abort'` listener to a signal, however many calls link to it. */
  addEventListener(type: 'abort', listener: () => void): void;
  /** The listener is removed when the last call linked to the signal ends (with `waitForCleanup`, before it settles). */
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A limiter shared by several calls — any function of `p-limit`'s shape. A
 * `p-limit` instance fits, and so do `queue.add.bind(queue)` of `p-queue` and
 * `limiter.schedule.bind(limiter)` of Bottleneck.
 *
 * @example
 * ```ts
 * import pLimit from 'p-limit';
 * const limit: Limiter = pLimit(4);
 * ```
 */
export type Limiter = (fn: () => Promise<void>) => PromiseLike<unknown>;

/**
 * Options of `gather` and `gatherSettled`. Every option may be `undefined`, which
 * means absent.
 *
 * @example
 * ```ts
 * const options: GatherOptions = { signal: controller.signal, timeout: 5_000, concurrency: 4 };
 * ```
 */
export interface GatherOptions {
  /**
   * Cancels the call from outside. When it aborts, no further task function is
   * called, the call's own signal is aborted with the same reason, and `gather`
   * rejects with it. `null` means none. The call's signal is never this signal:
   * a failing task never aborts the caller's signal.
   */
  signal?: AbortSignalLike | null | undefined;
  /**
   * Milliseconds for the whole call, time spent queued behind a limit included.
   * On expiry the call's signal is aborted with a `DOMException` named
   * `"TimeoutError"` and `gather` rejects with it. Default `Infinity` (none).
   */
  timeout?: number | undefined;
  /**
   * After a failure or an abort, settle only once every task function that was
   * called has settled — the `asyncio.TaskGroup` / `errgroup.Wait` guarantee.
   * Promises and other values passed in are not waited for. Default `false`.
   */
  waitForCleanup?: boolean | undefined;
  /**
   * At most this many task functions of the call run at once, started in input
   * order. An integer ≥ 1, or `Infinity` (the default). Not with `limit`.
   */
  concurrency?: number | undefined;
  /**
   * A limiter shared with other calls (`pLimit(4)`): each task function starts
   * when the limiter lets it. Not with `concurrency`.
   */
  limit?: Limiter | undefined;
}

/**
 * Options of a `TaskGroup`: those of `gather` but `waitForCleanup` — a group
 * always waits for its started tasks. The `timeout` counts from construction.
 *
 * @example
 * ```ts
 * const options: TaskGroupOptions = { signal: controller.signal, concurrency: 8, timeout: 30_000 };
 * ```
 */
export type TaskGroupOptions = Omit<GatherOptions, 'waitForCleanup'>;

/**
 * Options of `isolate`.
 *
 * @example
 * ```ts
 * const options: IsolateOptions<string[]> = { fallback: [], onError: (error) => logger.warn(error) };
 * ```
 */
export interface IsolateOptions<F = undefined> {
  /**
   * The value the isolated task resolves with when the task fails. Used as a
   * value: a function is returned, not called; a thenable is adopted. Default
   * `undefined`.
   */
  fallback?: F;
  /**
   * Called with the failure before the fallback is used, and awaited. Throw or
   * reject from it to let that failure through (contain only some errors).
   */
  onError?: ((error: unknown) => unknown) | undefined;
}
