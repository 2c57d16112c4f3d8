import { createTimeoutError } from './abort-errors';

/** Longest delay `setTimeout` honours; longer ones fire at once in every runtime. */
const LONGEST_TIMER_DELAY = 2 ** 31 - 1;

/** The part of a call's state the deadline works on: no object or closure of its own. */
export interface DeadlineHolder {
  deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  deadlineRemaining: number;
  followAbort(reason: unknown): void;
}

/** Aborts `holder` with a `"TimeoutError"` after `milliseconds` (finite, ≥ 0). */
export function armDeadline(holder: DeadlineHolder, milliseconds: number): void {
  holder.deadlineRemaining = milliseconds;
  scheduleNextTimer(holder);
}

/** Clears the timer, so a settled call never keeps a process alive. */
export function clearDeadline(holder: DeadlineHolder): void {
  if (holder.deadlineTimer !== undefined) {
    clearTimeout(holder.deadlineTimer);
    holder.deadlineTimer = undefined;
  }
}

function scheduleNextTimer(holder: DeadlineHolder): void {
  const delay = Math.min(holder.deadlineRemaining, LONGEST_TIMER_DELAY);
  holder.deadlineRemaining -= delay;
  holder.deadlineTimer = setTimeout(onTimer, delay, holder);
}

// Why in pieces: a deadline of 30 days is longer than any timer can wait, so the
// timer is re-armed for what is left instead of firing early.
function onTimer(holder: DeadlineHolder): void {
  holder.deadlineTimer = undefined;
  if (holder.deadlineRemaining > 0) scheduleNextTimer(holder);
  else holder.followAbort(createTimeoutError());
}
