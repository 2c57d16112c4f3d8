import { rejectWithReason } from './call-signal';
import type { AbortSignalLike } from './option-types';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';

/**
 * Longest delay `setTimeout` honours (2³¹−1 ms); longer ones fire at once in every
 * runtime. Written as a literal: `2 ** 31 - 1` is kept by bundlers even where unused,
 * and would add bytes to `import { gather }`.
 */
const LONGEST_TIMER_DELAY = 2_147_483_647;

/**
 * One wait between two attempts of `retry`: one timer, and one entry in the
 * signal's link registry (never a listener of its own), both gone the moment the
 * wait ends — by its time passing or by the signal aborting.
 *
 * Why not deadline.ts: a deadline ends by aborting with a fresh `"TimeoutError"`;
 * a wait that ends on time is no error, and builds none.
 */
class Wait implements AbortFollower {
  /** Armed while the wait runs with time left; `undefined` for a wait of `Infinity`. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** What is left to wait once the armed timer fires (a wait longer than one timer). */
  #remaining: number;
  /** Invariant: `undefined` once the wait has ended. */
  #link: SignalFollowers | undefined;
  readonly #resolve: () => void;
  readonly #reject: (reason: unknown) => void;

  constructor(
    milliseconds: number,
    signal: AbortSignalLike,
    resolve: () => void,
    reject: (reason: unknown) => void,
  ) {
    this.#remaining = milliseconds;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#link = linkSignal(signal, this);
    if (milliseconds !== Infinity) this.#arm();
  }

  followAbort(reason: unknown): void {
    this.#end();
    this.#reject(reason);
  }

  // Why in pieces: a wait of 30 days is longer than any timer can wait, so the
  // timer is re-armed for what is left instead of firing early.
  #arm(): void {
    const delay = Math.min(this.#remaining, LONGEST_TIMER_DELAY);
    this.#remaining -= delay;
    this.#timer = setTimeout(onTimer, delay, this);
  }

  /** The armed timer fired. */
  fired(): void {
    this.#timer = undefined;
    if (this.#remaining > 0) {
      this.#arm();
      return;
    }
    this.#end();
    this.#resolve();
  }

  #end(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#link !== undefined) {
      unlinkSignal(this.#link, this);
      this.#link = undefined;
    }
  }
}

function onTimer(wait: Wait): void {
  wait.fired();
}

/**
 * Resolves after `milliseconds` (≥ 0; `Infinity`: only the signal ends it), or
 * rejects with `signal.reason` — the same object — the moment `signal` aborts,
 * already aborted included.
 */
export function wait(milliseconds: number, signal: AbortSignalLike): Promise<void> {
  if (signal.aborted) return rejectWithReason(signal);
  return new Promise((resolve, reject) => {
    new Wait(milliseconds, signal, resolve, reject);
  });
}
