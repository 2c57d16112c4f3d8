import { absorbRejection, promiseFor } from './promises';

/** A source's iterator method: `next()`, read once when the source is opened. */
export type NextMethod = (this: object) => unknown;

/** Opens the source: its iterator, checked to be an object with a `next()` method. */
export function openSource(
  source: object,
  method: (this: object) => unknown,
): [iterator: object, next: NextMethod] {
  const iterator: unknown = method.call(source);
  if (typeof iterator !== 'object' || iterator === null) {
    throw new TypeError('Expected the iterator of `source` to be an object');
  }
  const next: unknown = (iterator as { next?: unknown }).next;
  if (typeof next !== 'function') {
    throw new TypeError('Expected the iterator of `source` to have a next() method');
  }
  return [iterator, next as NextMethod];
}

/**
 * Closes the source as `for await` does on `break`: calls its iterator's
 * `return()`, if it has one. Returns the promise `return()` gave, to wait for with
 * `waitForCleanup`; what it throws or rejects with is absorbed — the stream has its
 * own outcome.
 */
export function closeSource(iterator: object): Promise<unknown> | undefined {
  let closed: unknown;
  try {
    const close = (iterator as { return?: unknown }).return;
    if (typeof close !== 'function') return undefined;
    closed = close.call(iterator);
  } catch {
    return undefined;
  }
  let promise: Promise<unknown> | undefined;
  try {
    promise = promiseFor(closed);
  } catch {
    return undefined;
  }
  if (promise !== undefined) absorbRejection(promise);
  return promise;
}
