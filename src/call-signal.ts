import { describeValue } from './describe';
import type { AbortSignalLike } from './option-types';
import { isAbortSignalLike } from './options';

/**
 * What the task functions that `withTimeout` and `retry` return share: reading the
 * signal they are called with, and making a signal of their own.
 *
 * Why a returned function checks its argument at all: a wrapper is a task function,
 * and its first argument is the signal — always, with no guessing from arity. A
 * wrapped task handed to something that calls it with other arguments first (an
 * array's `.map(fn)`, a stream's `(item, signal, index)` mapper) would otherwise
 * take an item for a signal and fail later, somewhere confusing.
 */

/** This realm's `AbortSignal`, where there is one: its instances need no duck-typing. */
const NativeAbortSignal: typeof AbortSignal | undefined =
  typeof AbortSignal === 'function' ? AbortSignal : undefined;

/**
 * `undefined` and `null` mean "no signal"; anything else must be signal-like. A
 * native signal — what a call hands its tasks — is known by its class, without
 * reading three properties per wrapped call.
 */
export function isCallSignal(value: unknown): value is AbortSignalLike | null | undefined {
  return (
    value === undefined ||
    value === null ||
    (NativeAbortSignal !== undefined && value instanceof NativeAbortSignal) ||
    isAbortSignalLike(value)
  );
}

/** The rejection of a wrapped task called with something that is not a signal. */
export function callSignalError(wrapper: string, received: unknown): TypeError {
  return new TypeError(
    `Expected the task function ${wrapper} returned to be called with an AbortSignal (a boolean \`aborted\`, \`addEventListener\` and \`removeEventListener\`) or nothing, got ${describeValue(received)}: to wrap the task of a mapper or a callback, call the wrapper inside it and pass it the signal`,
  );
}

/**
 * A promise rejected with `signal.reason`, the same object. A polyfill whose
 * `reason` getter throws gives that error instead: the wrapper must still reject.
 */
export function rejectWithReason(signal: AbortSignalLike): Promise<never> {
  let reason: unknown;
  try {
    reason = signal.reason;
  } catch (error) {
    reason = error;
  }
  return Promise.reject(reason);
}
