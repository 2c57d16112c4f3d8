import { armDeadline, clearDeadline, type DeadlineHolder } from './deadline';
import type { Settings } from './options';
import { type AbortFollower, linkSignal, type SignalFollowers, unlinkSignal } from './signal-link';

/** What a run and a group both hold: the link to the caller's signal and the deadline. */
export interface Links extends AbortFollower, DeadlineHolder {
  callerLink: SignalFollowers | undefined;
}

/**
 * Follows the caller's signal and arms the deadline, before any task function is
 * called. A signal already aborted is followed at once instead, and nothing is
 * linked: returns `false` then.
 */
export function linkCaller(holder: Links, settings: Settings): boolean {
  const { signal, timeout } = settings;
  if (signal?.aborted) {
    holder.followAbort(signal.reason);
    return false;
  }
  if (signal !== undefined) holder.callerLink = linkSignal(signal, holder);
  if (timeout !== Number.POSITIVE_INFINITY) armDeadline(holder, timeout);
  return true;
}

/** Unlinks the caller's signal and clears the timer: a settled call holds neither. */
export function releaseLinks(holder: Links): void {
  if (holder.callerLink !== undefined) {
    unlinkSignal(holder.callerLink, holder);
    holder.callerLink = undefined;
  }
  clearDeadline(holder);
}
