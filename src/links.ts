import { createTimeoutError } from './abort-errors';
import type { AbortSignalLike } from './option-types';
import type { Settings } from './options';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';

/** What a link follows: the caller's signal and the deadline (a call's options, or a `withTimeout` call's). */
type Followed = Pick<Settings, 'signal' | 'timeout'>;

/** Longest delay `setTimeout` honours; longer ones fire at once in every runtime. */
const LONGEST_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The link to the caller's signal and the deadline of one run or group: what it
 * follows from outside, made only when there is a signal or a timeout. Either
 * one aborts its owner (`followAbort`); a settled owner releases both.
 */
class CallLinks implements AbortFollower {
  readonly #owner: AbortFollower;
  #signalLink: SignalFollowers | undefined;
  /** Invariant: armed until the deadline passes or the owner releases it. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Invariant: milliseconds of the deadline left after the armed timer fires. */
  #remaining = 0;

  constructor(owner: AbortFollower, signal: AbortSignalLike | undefined, timeout: number) {
    this.#owner = owner;
    if (signal !== undefined) this.#signalLink = linkSignal(signal, this);
    if (timeout !== Infinity) {
      this.#remaining = timeout;
      this.#arm();
    }
  }

  followAbort(reason: unknown): void {
    this.#owner.followAbort(reason);
  }

  /** Unlinks the caller's signal and clears the timer: a settled call holds neither. */
  release(): void {
    if (this.#signalLink !== undefined) unlinkSignal(this.#signalLink, this);
    this.#signalLink = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Why in pieces: a deadline of 30 days is longer than any timer can wait, so the
   * timer is re-armed for what is left instead of firing early
   * (test/deadline.test.ts).
   */
  #arm(): void {
    const delay = Math.min(this.#remaining, LONGEST_TIMER_DELAY);
    this.#remaining -= delay;
    this.#timer = setTimeout(CallLinks.#fire, delay, this);
  }

  static #fire(links: CallLinks): void {
    links.#timer = undefined;
    if (links.#remaining > 0) links.#arm();
    else links.followAbort(createTimeoutError());
  }
}

/**
 * Follows the caller's signal and arms the deadline for `owner`, before any task
 * function is called. A signal already aborted is followed at once instead
 * (`owner.followAbort`), and nothing is linked.
 */
export function linkCaller(owner: AbortFollower, settings: Followed): CallLinks | undefined {
  const { signal, timeout } = settings;
  if (signal?.aborted) owner.followAbort(signal.reason);
  else if (signal !== undefined || timeout !== Infinity) {
    return new CallLinks(owner, signal, timeout);
  }
  return undefined;
}

export type { CallLinks };
