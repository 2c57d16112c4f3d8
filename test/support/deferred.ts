/** A promise with its `resolve` and `reject` in hand, for deterministic ordering. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

/** Creates a {@link Deferred} (without `Promise.withResolvers`, absent in Node 20). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Captured at module load, before a test can install fake timers.
const realSetTimeout = globalThis.setTimeout;

/**
 * Lets every queued microtask run, however deep its chain, by waiting for one real
 * macrotask. Fake timers are not advanced. Use it to assert that something has *not*
 * happened yet (the contract does not fix how many microtask turns a call takes).
 */
export function flushMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => realSetTimeout(resolve, 0));
}

/** The state of a promise, observed without awaiting it. */
export type Observed<T> =
  | { status: 'pending' }
  | { status: 'fulfilled'; value: T }
  | { status: 'rejected'; reason: unknown };

/**
 * Attaches handlers to `promise` at once (so a rejection is never unhandled) and
 * returns a live view of its state.
 */
export function observe<T>(promise: PromiseLike<T>): { readonly state: Observed<T> } {
  const view: { state: Observed<T> } = { state: { status: 'pending' } };
  promise.then(
    (value) => {
      view.state = { status: 'fulfilled', value };
    },
    (reason: unknown) => {
      view.state = { status: 'rejected', reason };
    },
  );
  return view;
}

/** A value that is a function which never settles, for tasks that must stay running. */
export function never(): Promise<never> {
  return new Promise<never>(() => {});
}
