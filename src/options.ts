import { describeValue } from './describe';
import type { AbortSignalLike, Limiter } from './option-types';

/** Options of one call, checked, with defaults filled in. */
export interface Settings {
  readonly signal: AbortSignalLike | undefined;
  readonly limit: Limiter | undefined;
  readonly concurrency: number;
  readonly timeout: number;
  readonly waitForCleanup: boolean;
}

const defaults: Settings = Object.freeze({
  signal: undefined,
  limit: undefined,
  concurrency: Infinity,
  timeout: Infinity,
  waitForCleanup: false,
});

/**
 * Checks the options of a call in the documented order — `options`, `signal`,
 * `limit`, both limits, `concurrency`, `timeout`, `waitForCleanup` — reading each
 * once (test/bad-input-matrix.test.ts).
 * `undefined` means absent. A `TaskGroup` always waits for cleanup: it passes
 * `readsWaitForCleanup: false`: `waitForCleanup` is then neither read nor checked,
 * and left at its default.
 */
export function readOptions(options: unknown, readsWaitForCleanup = true): Settings {
  if (options === undefined) return defaults;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const given = options as Record<string, unknown>;

  let signal = given.signal;
  if (signal === null) signal = undefined;
  if (signal !== undefined && !isAbortSignalLike(signal)) {
    throw new TypeError(
      `Expected \`signal\` to be an AbortSignal (a boolean \`aborted\`, \`addEventListener\` and \`removeEventListener\`) or null, got ${describeValue(signal)}`,
    );
  }

  const limit = given.limit;
  if (limit !== undefined && typeof limit !== 'function') {
    throw new TypeError(
      `Expected \`limit\` to be a limiter function such as pLimit(4), got ${describeValue(limit)}`,
    );
  }

  const concurrency = given.concurrency;
  if (limit !== undefined && concurrency !== undefined) {
    throw new TypeError(
      'Expected either `concurrency` or `limit`, got both: `limit` already bounds how many task functions run',
    );
  }
  if (concurrency !== undefined) {
    if (typeof concurrency !== 'number') {
      throw new TypeError(
        `Expected \`concurrency\` to be a number, got ${describeValue(concurrency)}`,
      );
    }
    if (!isCount(concurrency)) {
      throw new RangeError(
        `Expected \`concurrency\` to be an integer from 1 and up or \`Infinity\`, got ${describeValue(concurrency)}`,
      );
    }
  }

  const timeout = given.timeout;
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') {
      throw new TypeError(
        `Expected \`timeout\` to be a number of milliseconds, got ${describeValue(timeout)}`,
      );
    }
    if (Number.isNaN(timeout) || timeout < 0) {
      throw new RangeError(
        `Expected \`timeout\` to be a number of milliseconds ≥ 0 or \`Infinity\`, got ${describeValue(timeout)}`,
      );
    }
  }

  const waitForCleanup = readsWaitForCleanup ? given.waitForCleanup : undefined;
  if (waitForCleanup !== undefined && typeof waitForCleanup !== 'boolean') {
    throw new TypeError(
      `Expected \`waitForCleanup\` to be a boolean, got ${describeValue(waitForCleanup)}`,
    );
  }

  return {
    signal,
    limit: limit as Limiter | undefined,
    concurrency: concurrency ?? Infinity,
    timeout: timeout ?? Infinity,
    waitForCleanup: waitForCleanup ?? false,
  };
}

/** An integer ≥ 1 or `Infinity`: what `concurrency` and a stream's `buffer` accept. */
export function isCount(value: unknown): boolean {
  return value === Infinity || (Number.isInteger(value) && (value as number) >= 1);
}

export function isAbortSignalLike(value: unknown): value is AbortSignalLike {
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.aborted === 'boolean' &&
    typeof candidate.addEventListener === 'function' &&
    typeof candidate.removeEventListener === 'function'
  );
}
