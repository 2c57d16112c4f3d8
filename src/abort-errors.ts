/**
 * The reasons p-gather aborts a call's signal with. Both are built only when an
 * abort happens (nothing is constructed at module load), and both carry an own
 * `cause`, so task code can tell *why* it was cancelled.
 */

/**
 * Builds a `DOMException` named `name` — what `AbortController.abort()` and
 * `AbortSignal.timeout()` produce, so `err.name === 'AbortError'` checks in task
 * code keep working — or, where `DOMException` does not exist (React Native /
 * Hermes), an `Error` with the same `name`.
 */
function createNamedError(message: string, name: string, cause: unknown): Error {
  let error: Error;
  if (typeof DOMException === 'function') {
    error = new DOMException(message, name);
  } else {
    error = new Error(message);
    error.name = name;
  }
  // Chromium's DOMException has no stack of its own: give it one that points at
  // p-gather's caller, where the platform allows it (V8).
  if (error.stack === undefined) {
    (Error as { captureStackTrace?: (target: object, below: unknown) => void }).captureStackTrace?.(
      error,
      createNamedError,
    );
  }
  // Defined after construction: only Node's DOMException accepts `cause` in its
  // constructor, and the property must exist even when the cause is `undefined`.
  // Not enumerable, as a constructor's own `cause` is: the default for a new
  // property, and neither constructor above has made one.
  Object.defineProperty(error, 'cause', {
    value: cause,
    writable: true,
    configurable: true,
  });
  return error;
}

/** The reason a call's signal is aborted with when a task fails (`cause` is the failure). */
export function createAbortError(cause: unknown): Error {
  return createNamedError('This operation was aborted', 'AbortError', cause);
}

/** The reason a call's signal is aborted with when its deadline passes. */
export function createTimeoutError(): Error {
  return createNamedError('The operation was aborted due to timeout', 'TimeoutError', undefined);
}
