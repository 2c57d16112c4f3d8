/**
 * Property tests of the task wrappers (SPEC › Task wrappers): random attempts that
 * fulfil, reject or throw at random times or never settle (honouring their signal
 * or not), random `retries`, delays, `shouldRetry` answers, per-attempt and overall
 * `withTimeout`s, and an outer signal that may abort at any moment. Whatever
 * happens: no attempt starts after the abort, never more than `retries + 1`
 * attempts, the wrapper's outcome is the one the rules give, and once it has
 * settled no timer and no listener is left.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, vi } from 'vitest';
import { type RetryOptions, retry, withTimeout } from '../../src/index';
import { abortListenerCount } from '../support/node-only';
import { itHolds } from './settings';

/** How one attempt ends, `at` virtual ms after it starts. */
type Attempt =
  | { readonly kind: 'fulfil' | 'reject' | 'throw'; readonly at: number }
  | { readonly kind: 'never'; readonly honoursSignal: boolean };

interface WrapperScenario {
  readonly attempts: readonly Attempt[];
  readonly retries: number;
  readonly delay: number | readonly number[] | undefined;
  /** `shouldRetry`'s answers by attempt (absent: every failure is retried). */
  readonly shouldRetry: readonly boolean[] | undefined;
  readonly asyncCallbacks: boolean;
  /** `retry(withTimeout(task, perAttempt))`. */
  readonly perAttempt: number | undefined;
  /** `withTimeout(retry(…), overall)`. */
  readonly overall: number | undefined;
  /** When the outer signal aborts, in virtual ms; absent: never. */
  readonly abortAt: number | undefined;
}

const time = fc.integer({ min: 0, max: 60 });

const attempt: fc.Arbitrary<Attempt> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constantFrom('fulfil', 'reject', 'throw'), at: time }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('never'), honoursSignal: fc.boolean() }) },
) as fc.Arbitrary<Attempt>;

const wrapperScenario: fc.Arbitrary<WrapperScenario> = fc.record({
  attempts: fc.array(attempt, { minLength: 1, maxLength: 8 }),
  retries: fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }) },
    { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) },
  ),
  delay: fc.option(fc.oneof(time, fc.array(time, { minLength: 1, maxLength: 8 })), {
    nil: undefined,
  }),
  shouldRetry: fc.option(fc.array(fc.boolean(), { maxLength: 8 }), {
    nil: undefined,
  }),
  asyncCallbacks: fc.boolean(),
  perAttempt: fc.option(time, { nil: undefined }),
  overall: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
  abortAt: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
});

/** Past every timer a scenario can arm: attempts, waits (default backoff included), deadlines. */
const LONG_AFTER = 10 * 60_000;

interface Run {
  readonly starts: { readonly at: number; readonly outerAborted: boolean }[];
  readonly settled:
    | { status: 'fulfilled' | 'rejected'; value?: unknown; at: number; afterAbort: boolean }
    | undefined;
  readonly failures: unknown[];
  readonly abortReason: unknown;
  readonly timersAfter: number;
  readonly listenersAfter: number;
  readonly abortedAt: number | undefined;
}

async function run(s: WrapperScenario): Promise<Run> {
  const start = Date.now();
  const now = () => Date.now() - start;
  const controller = new AbortController();
  const outer = controller.signal;
  const abortReason = new Error('outer abort');
  const starts: { at: number; outerAborted: boolean }[] = [];
  const failures: unknown[] = [];
  let abortedAt: number | undefined;

  const task = (signal: AbortSignal): unknown => {
    const index = starts.length;
    starts.push({ at: now(), outerAborted: outer.aborted });
    const failure = new Error(`attempt ${index + 1}`);
    failures.push(failure);
    const planned = s.attempts[index];
    // Past the planned attempts, every attempt fulfils in a microtask — before any
    // timer, a 0 ms deadline's included — so that `retries: Infinity` ends.
    if (planned === undefined) return Promise.resolve(`value ${index + 1}`);
    if (planned.kind === 'throw' && planned.at === 0) throw failure;
    return new Promise((resolve, reject) => {
      if (planned.kind === 'never') {
        // Stops on abort with an error of its own, as a driver may: a failure seen
        // while the signal is aborted, which must never be retried nor reported.
        if (planned.honoursSignal)
          signal.addEventListener('abort', () => reject(failure), { once: true });
        return;
      }
      setTimeout(() => {
        if (planned.kind === 'fulfil') resolve(`value ${index + 1}`);
        else reject(failure);
      }, planned.at);
    });
  };

  const answer = <T>(value: T): T | Promise<T> =>
    s.asyncCallbacks ? Promise.resolve(value) : value;
  const { delay: plannedDelay, shouldRetry: answers } = s;
  const options: RetryOptions = {
    retries: s.retries,
    delay: Array.isArray(plannedDelay)
      ? (n) => plannedDelay[(n - 1) % plannedDelay.length] as number
      : (plannedDelay as number | undefined),
    shouldRetry: answers && ((_error, n) => answer(answers[n - 1] ?? true) as boolean),
    onRetry: () => answer(undefined),
  };
  const attemptTask = s.perAttempt === undefined ? task : withTimeout(task, s.perAttempt);
  const retried = retry(attemptTask, options);
  const wrapped = s.overall === undefined ? retried : withTimeout(retried, s.overall);

  let settled: Run['settled'];
  wrapped(outer).then(
    (value) => {
      settled = { status: 'fulfilled', value, at: now(), afterAbort: outer.aborted };
    },
    (reason: unknown) => {
      settled = { status: 'rejected', value: reason, at: now(), afterAbort: outer.aborted };
    },
  );
  if (s.abortAt !== undefined) {
    setTimeout(() => {
      abortedAt = now();
      controller.abort(abortReason);
    }, s.abortAt);
  }
  await vi.advanceTimersByTimeAsync(LONG_AFTER);
  const timersAfter = vi.getTimerCount();
  const listenersAfter = abortListenerCount(outer);
  return { starts, settled, failures, abortReason, timersAfter, listenersAfter, abortedAt };
}

function fail(s: WrapperScenario, r: Run, message: string): never {
  throw new Error(
    `${message}\nscenario: ${JSON.stringify(s)}\nstarts: ${JSON.stringify(r.starts)}\nsettled: ${JSON.stringify(r.settled)}`,
  );
}

/** Whether the run can hang by design: an attempt that never settles and ignores every signal. */
function canHang(s: WrapperScenario): boolean {
  return (
    s.overall === undefined &&
    s.perAttempt === undefined &&
    s.attempts.some((a) => a.kind === 'never' && (!a.honoursSignal || s.abortAt === undefined))
  );
}

describe('withTimeout and retry, property-based', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  itHolds('no attempt starts once the outer signal has aborted', wrapperScenario, async (s) => {
    const r = await run(s);
    for (const started of r.starts) {
      if (started.outerAborted) fail(s, r, `an attempt started at ${started.at} after the abort`);
    }
  });

  itHolds('never more than retries + 1 attempts', wrapperScenario, async (s) => {
    const r = await run(s);
    if (r.starts.length > s.retries + 1) {
      fail(s, r, `${r.starts.length} attempts with retries: ${s.retries}`);
    }
  });

  itHolds(
    'settles unless an attempt ignores every signal forever; then no timer and no listener is left',
    wrapperScenario,
    async (s) => {
      const r = await run(s);
      if (r.settled === undefined) {
        if (!canHang(s)) fail(s, r, 'the wrapper never settled');
        return;
      }
      if (r.timersAfter !== 0) fail(s, r, `${r.timersAfter} timer(s) left`);
      if (r.listenersAfter !== 0) fail(s, r, `${r.listenersAfter} listener(s) left`);
    },
  );

  itHolds(
    'rejects with the abort reason once the signal has aborted (but for an attempt already running that fulfils); else settles with the last attempt, or a TimeoutError',
    wrapperScenario,
    async (s) => {
      const r = await run(s);
      const { settled } = r;
      if (settled === undefined) return;
      // Fake timers let every microtask run between two timers: a settlement seen
      // with the signal aborted came after the abort.
      if (settled.afterAbort) {
        if (settled.status === 'rejected') {
          if (settled.value !== r.abortReason)
            fail(s, r, 'rejected after the abort without its reason');
          return;
        }
        // A withTimeout follows the outer signal: it rejects at once.
        if (s.overall !== undefined || s.perAttempt !== undefined) {
          fail(s, r, 'fulfilled after the abort through a withTimeout');
        }
        // Otherwise retry waits for the attempt in progress, the task's to stop: its
        // value is the wrapper's (checked below).
      }
      if (settled.status === 'fulfilled') {
        if (settled.value !== `value ${r.starts.length}`)
          fail(s, r, 'not the last attempt’s value');
        return;
      }
      const reason = settled.value as { name?: string };
      if (reason === r.failures[r.starts.length - 1]) return;
      if (
        reason?.name === 'TimeoutError' &&
        (s.overall !== undefined || s.perAttempt !== undefined)
      ) {
        return;
      }
      fail(s, r, `rejected with ${String(reason)}`);
    },
  );
});
