import type { AbortSignalLike } from './option-types';

/** What a call that follows a caller's signal must do when that signal aborts. */
export interface AbortFollower {
  followAbort(reason: unknown): void;
}

/**
 * Every follower of one signal, behind a single `'abort'` listener.
 *
 * Why one listener: 10,000 nested gathers all link to their parent's signal. With
 * a listener each, every link costs more than the last (EventTarget scans its
 * list), and Node prints `MaxListenersExceededWarning`. Here a link is a `Set`
 * insertion, O(1) however many there are.
 */
class SignalFollowers {
  readonly followers = new Set<AbortFollower>();
  readonly signal: AbortSignalLike;
  readonly onAbort: () => void;

  constructor(signal: AbortSignalLike) {
    this.signal = signal;
    this.onAbort = () => this.dispatch();
  }

  private dispatch(): void {
    this.detach();
    let reason: unknown;
    try {
      reason = this.signal.reason;
    } catch (error) {
      // A polyfill whose `reason` getter throws: the calls must still end, and
      // that error is all there is to tell them.
      reason = error;
    }
    // A Set iterates live: a follower that settles (and unlinks) before its turn,
    // because an earlier follower's abort cascaded into it, is skipped.
    for (const follower of this.followers) follower.followAbort(reason);
    this.followers.clear();
  }

  detach(): void {
    if (followersBySignal.get(this.signal) === this) followersBySignal.delete(this.signal);
    try {
      this.signal.removeEventListener('abort', this.onAbort);
    } catch {
      // A signal-like whose removeEventListener throws must not stop the call
      // from settling; its listener calls into followers that are gone.
    }
  }
}

const followersBySignal = new WeakMap<AbortSignalLike, SignalFollowers>();

/**
 * Makes `follower.followAbort(reason)` run when `signal` aborts. The caller has
 * checked that it is not aborted yet. Returns the link, for {@link unlinkSignal}.
 */
export function linkSignal(signal: AbortSignalLike, follower: AbortFollower): SignalFollowers {
  let link = followersBySignal.get(signal);
  if (link === undefined) {
    link = new SignalFollowers(signal);
    // Listener first: a signal-like object whose addEventListener throws leaves no
    // entry behind for the next call to trust.
    signal.addEventListener('abort', link.onAbort);
    followersBySignal.set(signal, link);
  }
  link.followers.add(follower);
  return link;
}

/** Removes a link; the last one out removes the listener, so nothing is retained. */
export function unlinkSignal(link: SignalFollowers, follower: AbortFollower): void {
  if (link.followers.delete(follower) && link.followers.size === 0) link.detach();
}

export type { SignalFollowers };
