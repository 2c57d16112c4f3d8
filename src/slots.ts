/**
 * The state of one slot of a run: the one encoding every run uses, one byte per
 * slot (`Run.state`). A slot only ever moves forward through these.
 */

/** The intake has not read it yet: `values[slot]` is the input, untouched. */
export const UNREAD = 0;
/** A task function waiting for its limiter to start it. */
export const WAITING = 1;
/** A task function that has been called and has not been seen to settle. */
export const RUNNING = 2;
/** A promise or thenable of the input, awaited (not a task function: never waited for as cleanup). */
export const AWAITED = 3;
/** Its outcome is recorded: what it settles with later is ignored. */
export const DONE = 4;
