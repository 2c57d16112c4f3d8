/**
 * The few promise primitives p-gather needs, taken from the realm at load time so
 * that a page patching `Promise.prototype.then` later cannot change how tasks are
 * awaited.
 */

type Then = (
  this: unknown,
  onFulfilled: ((value: unknown) => unknown) | undefined,
  onRejected: ((reason: unknown) => unknown) | undefined,
) => unknown;

/** `Promise.prototype.then` of this realm: a native promise's `then`. */
export const nativeThen = Promise.prototype.then as Then;

function ignore(): void {}

let fulfilled: Promise<void> | undefined;

/** One shared fulfilled promise, made on first use rather than at module load. */
export function fulfilledPromise(): Promise<void> {
  fulfilled ??= Promise.resolve();
  return fulfilled;
}

/**
 * Runs `callback` in a later microtask, as a promise reaction. Why not
 * `queueMicrotask`: Node's wraps every callback in async-context bookkeeping that
 * pushes onto ordinary arrays, so an accessor on `Array.prototype` would run (see
 * own-list.ts); a reaction is also cheaper. `callback` must not throw.
 */
export function inMicrotask(callback: () => void): void {
  nativeThen.call(fulfilledPromise(), callback, undefined);
}

/**
 * Gives a native promise (of any realm) a rejection handler without reading or
 * calling anything else on it, so a promise the call read but will never await is
 * not reported as an unhandled rejection.
 *
 * Why the brand check by calling: `Promise.prototype.then` throws at once, with no
 * side effect, on anything that is not a promise, so a lazy thenable (a query
 * builder, say) is never started by this.
 */
export function absorbRejection(value: unknown): void {
  if (typeof value === 'object' && value !== null) {
    try {
      nativeThen.call(value, undefined, ignore);
    } catch {
      // Not a native promise: nothing can be reported unhandled for it.
    }
  }
}

/** {@link absorbRejection} for every value of `values`. */
export function absorbRejections(values: ArrayLike<unknown>): void {
  for (let index = 0; index < values.length; index++) absorbRejection(values[index]);
}

/**
 * Adopts a non-native thenable exactly as `Promise.resolve` does, given its `then`
 * already read once: `then` is called in a later microtask (never inside the
 * caller's loop), only the first call of either callback counts, and a throw after
 * a callback is ignored.
 */
export function adoptThenable(thenable: unknown, then: Then): Promise<unknown> {
  return new Promise((resolve, reject) => {
    inMicrotask(() => {
      try {
        then.call(thenable, resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  });
}

/**
 * The native promise to await for `value`: the value itself when it is a native
 * promise of this realm, an adoption ({@link adoptThenable}) for any other
 * thenable, `undefined` when it is not a thenable — settled as it is. `then` is
 * read once; what that read throws propagates.
 */
export function promiseFor(value: unknown): Promise<unknown> | undefined {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') {
    return undefined;
  }
  const then: unknown = (value as { then?: unknown }).then;
  if (typeof then !== 'function') return undefined;
  return then === nativeThen ? (value as Promise<unknown>) : adoptThenable(value, then as Then);
}

/** A promise rejected with `reason` that is never reported unhandled. */
export function absorbedRejection(reason: unknown): Promise<never> {
  const rejected = Promise.reject(reason);
  absorbRejection(rejected);
  return rejected;
}

export type { Then };
