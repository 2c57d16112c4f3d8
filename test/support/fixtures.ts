import { vi } from 'vitest';
import { flushMicrotasks } from './deferred';

/** A thenable that calls back synchronously when its `then` is called. */
export interface SpyThenable<T> extends PromiseLike<T> {
  /** How many times `then` has been called. */
  readonly calls: number;
}

/** A thenable that fulfils with `value` synchronously inside `then`, counting calls. */
export function fulfillingThenable<T>(value: T): SpyThenable<T> {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this fixture.
    then<R1 = T, R2 = never>(
      onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    ): PromiseLike<R1 | R2> {
      calls += 1;
      onFulfilled?.(value);
      return new Promise<R1 | R2>(() => {});
    },
  };
}

/** A thenable that rejects with `reason` synchronously inside `then`, counting calls. */
export function rejectingThenable(reason: unknown): SpyThenable<never> {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this fixture.
    then<R1 = never, R2 = never>(
      _onFulfilled?: ((value: never) => R1 | PromiseLike<R1>) | null,
      onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    ): PromiseLike<R1 | R2> {
      calls += 1;
      onRejected?.(reason);
      return new Promise<R1 | R2>(() => {});
    },
  };
}

/** A thenable that stores its callbacks, so the test decides when and how it settles. */
export interface ManualThenable<T> extends PromiseLike<T> {
  readonly calls: number;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function manualThenable<T>(): ManualThenable<T> {
  let calls = 0;
  const fulfilled: Array<(value: T) => unknown> = [];
  const rejected: Array<(reason: unknown) => unknown> = [];
  return {
    get calls() {
      return calls;
    },
    // biome-ignore lint/suspicious/noThenProperty: a thenable is the point of this fixture.
    then<R1 = T, R2 = never>(
      onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
      onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
    ): PromiseLike<R1 | R2> {
      calls += 1;
      if (onFulfilled) fulfilled.push(onFulfilled);
      if (onRejected) rejected.push(onRejected);
      return new Promise<R1 | R2>(() => {});
    },
    resolve(value: T) {
      for (const callback of fulfilled) callback(value);
    },
    reject(reason: unknown) {
      for (const callback of rejected) callback(reason);
    },
  };
}

/**
 * A signal-like object that is not an `AbortSignal`: a boolean `aborted`, a `reason`
 * and `addEventListener` / `removeEventListener` (as from another realm or a polyfill).
 */
export interface FakeSignal {
  aborted: boolean;
  reason: unknown;
  addEventListener: (type: string, listener: unknown, options?: unknown) => void;
  removeEventListener: (type: string, listener: unknown, options?: unknown) => void;
  /** Listeners currently registered for `'abort'`. */
  readonly listeners: Set<unknown>;
  /** Aborts: sets `aborted` and `reason`, then calls every `'abort'` listener. */
  abort(reason: unknown): void;
}

export function fakeSignal(): FakeSignal {
  const listeners = new Set<unknown>();
  const signal: FakeSignal = {
    aborted: false,
    reason: undefined,
    addEventListener: vi.fn((type: string, listener: unknown) => {
      if (type === 'abort') listeners.add(listener);
    }),
    removeEventListener: vi.fn((type: string, listener: unknown) => {
      if (type === 'abort') listeners.delete(listener);
    }),
    listeners,
    abort(reason: unknown) {
      signal.aborted = true;
      signal.reason = reason;
      const event = { type: 'abort', target: signal };
      for (const listener of [...listeners]) {
        if (typeof listener === 'function') {
          listener.call(signal, event);
        } else if (typeof listener === 'object' && listener !== null && 'handleEvent' in listener) {
          const { handleEvent } = listener;
          if (typeof handleEvent === 'function') handleEvent.call(listener, event);
        }
      }
    },
  };
  return signal;
}

/** Counts the `'abort'` listeners added to and removed from a real `AbortSignal`. */
export interface ListenerWatch {
  /** How many times `addEventListener('abort', …)` has been called. */
  readonly added: number;
  /** Listeners added and not yet removed through `removeEventListener`. */
  readonly active: number;
  /** The largest `active` has ever been. */
  readonly maxActive: number;
}

export function watchAbortListeners(signal: AbortSignal): ListenerWatch {
  const active = new Set<unknown>();
  let added = 0;
  let maxActive = 0;
  const add = signal.addEventListener;
  const remove = signal.removeEventListener;
  Object.defineProperty(signal, 'addEventListener', {
    configurable: true,
    value(this: AbortSignal, ...args: Parameters<AbortSignal['addEventListener']>) {
      if (args[0] === 'abort') {
        added += 1;
        active.add(args[1]);
        maxActive = Math.max(maxActive, active.size);
      }
      return Reflect.apply(add, this, args);
    },
  });
  Object.defineProperty(signal, 'removeEventListener', {
    configurable: true,
    value(this: AbortSignal, ...args: Parameters<AbortSignal['removeEventListener']>) {
      if (args[0] === 'abort') active.delete(args[1]);
      return Reflect.apply(remove, this, args);
    },
  });
  return {
    get added() {
      return added;
    },
    get active() {
      return active.size;
    },
    get maxActive() {
      return maxActive;
    },
  };
}

/**
 * Runs `run`, lets pending reports arrive (one real macrotask), and returns the
 * reasons of the promise rejections reported unhandled meanwhile. The global setup
 * file fails the test as well; this makes the expectation explicit in the test.
 */
export async function unhandledRejectionsDuring(run: () => unknown): Promise<unknown[]> {
  const reasons: unknown[] = [];
  const record = (reason: unknown) => {
    reasons.push(reason);
  };
  const recordEvent = (event: PromiseRejectionEvent) => record(event.reason);
  const inNode = typeof process !== 'undefined' && typeof process.on === 'function';
  if (inNode) process.on('unhandledRejection', record);
  else window.addEventListener('unhandledrejection', recordEvent);
  try {
    await run();
    // Two macrotasks: a browser's `unhandledrejection` event can arrive after the first.
    await flushMicrotasks();
    await flushMicrotasks();
  } finally {
    if (inNode) process.off('unhandledRejection', record);
    else window.removeEventListener('unhandledrejection', recordEvent);
  }
  return reasons;
}

/** The own `cause` of an abort reason, or `undefined` when it has none. */
export function causeOf(reason: unknown): unknown {
  if ((typeof reason !== 'object' && typeof reason !== 'function') || reason === null) {
    return undefined;
  }
  return Object.getOwnPropertyDescriptor(reason, 'cause')?.value;
}
