/** The first wait: after attempt 1 fails, `retry` waits 125–250 ms by default. */
const FIRST_WAIT_MS = 250;
/** No default wait is longer than this, however many attempts have failed. */
const LONGEST_WAIT_MS = 30_000;

/**
 * The default `delay` of {@link retry}: an exponential backoff with "equal jitter".
 * After attempt `n` fails, the wait is a random time between half of and all of
 * `min(250 × 2^(n−1), 30_000)` ms — 125–250 ms after the first failure, 250–500 ms
 * after the second, 500–1000 ms after the third, never more than 30 s.
 *
 * Why jitter: many clients that failed together (a server restart) would otherwise
 * come back together, in lockstep, and fail together again. Why *equal* jitter
 * rather than full: half the wait is kept, so a retry never comes back at once to
 * a server that is still down.
 *
 * Exported for `delay` functions that honour a server's wish only when there is
 * one — the `Retry-After` recipe:
 *
 * @param attempt - The number of the attempt that just failed, from 1.
 * @returns Milliseconds to wait before the next attempt.
 *
 * @example
 * ```ts
 * const load = retry((signal) => fetchJson(url, signal), {
 *   delay: (attempt, error) =>
 *     error instanceof HttpError && error.retryAfterMs !== undefined
 *       ? error.retryAfterMs
 *       : backoff(attempt),
 * });
 * ```
 */
export function backoff(attempt: number): number {
  const ceiling = Math.min(FIRST_WAIT_MS * 2 ** (attempt - 1), LONGEST_WAIT_MS);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
