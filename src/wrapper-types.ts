/**
 * Options of `retry`. Every option may be `undefined`, which means absent.
 *
 * @example
 * ```ts
 * const options: RetryOptions = {
 *   retries: 5,
 *   delay: (attempt) => 100 * attempt,
 *   shouldRetry: (error) => !(error instanceof TypeError),
 *   onRetry: (error, attempt) => console.warn(`attempt ${attempt} failed`, error),
 * };
 * ```
 */
export interface RetryOptions {
  /**
   * How many times a failed task is tried again: an integer ≥ 0, or `Infinity`
   * (until it succeeds, `shouldRetry` says no, or the signal aborts). Default `3`,
   * so at most 4 attempts.
   */
  retries?: number | undefined;
  /**
   * Milliseconds to wait before the next attempt (≥ 0, `Infinity` waits until the
   * signal aborts), or a function of the attempt that just failed (from 1) and its
   * failure that returns them — the way to honour a `Retry-After` header. Default
   * {@link backoff}: 125–250 ms after the first failure, doubling, at most 30 s.
   */
  delay?: number | ((attempt: number, error: unknown) => number) | undefined;
  /**
   * Asked after a failure whether to try again (awaited); `false` rejects with that
   * failure. Not asked about the last allowed failure, nor about a failure seen
   * while the signal is aborted. Default: every failure is retried.
   */
  shouldRetry?: ((error: unknown, attempt: number) => boolean | Promise<boolean>) | undefined;
  /** Told of each failure that will be retried, before the wait (awaited). */
  onRetry?: ((error: unknown, attempt: number) => unknown) | undefined;
}
