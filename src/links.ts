import { armDeadline, clearDeadline, type DeadlineHolder } from './deadline';
import type { Settings } from './options';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';

/**
 * The link to the caller's signal and the deadline of one run or group: what it
 * follows from outside. Made only when there is a signal or a timeout.
 */
class CallLinks implements AbortFollower, DeadlineHolder {
  readonly #owner: AbortFollower;
  #signalLink: SignalFollowers | undefined = undefined;
  deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  deadlineRemaining = 0;

  constructor(owner: AbortFollower, settings: Settings) {
    this.#owner = owner;
    const { signal, timeout } = settings;
    if (signal !== undefined) this.#signalLink = linkSignal(signal, this);
    if (timeout !== Number.POSITIVE_INFINITY) armDeadline(this, timeout);
  }

  followAbort(reason: unknown): void {
    this.#owner.followAbort(reason);
  }

  /** Unlinks the caller's signal and clears the timer: a settled call holds neither. */
  release(): void {
    if (this.#signalLink !== undefined) unlinkSignal(this.#signalLink, this);
    this.#signalLink = undefined;
    clearDeadline(this);
  }
}

/**
 * Follows the caller's signal and arms the deadline for `owner`, before any task
 * function is called. A signal already aborted is followed at once instead
 * (`owner.followAbort`), and nothing is linked.
 */
export function linkCaller(owner: AbortFollower, settings: Settings): CallLinks | undefined {
  const { signal, timeout } = settings;
  if (signal?.aborted) owner.followAbort(signal.reason);
  else if (signal !== undefined || timeout !== Number.POSITIVE_INFINITY) {
    return new CallLinks(owner, settings);
  }
  return undefined;
}

export type { CallLinks };
