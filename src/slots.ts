/**
 * The state of one slot of a run: the one encoding every run uses (`Run.state`),
 * a small integer per slot the intake has read. A slot only ever moves forward
 * through these. A slot the intake has not read yet has no entry: it reads
 * `undefined`, and `values[slot]` is the input, untouched.
 *
 * Why a list of small integers and not a `Uint8Array`: a typed array's buffer is
 * allocated outside the heap, and the first one made after a full collection
 * took about 10 µs (later ones 1 µs; Node 20). For `gather` over 1,000 task
 * functions right after a collection, that was a tenth of `Promise.all`'s whole
 * time (ARCHITECTURE.md, "After a full collection"). The list costs 8 bytes per
 * slot in the heap where the buffer cost 1 outside it.
 */

/** A task function waiting for its limiter to start it. */
export const WAITING = 1;
/** A task function that has been called and has not been seen to settle. */
export const RUNNING = 2;
/** A promise or thenable of the input, awaited (not a task function: never waited for as cleanup). */
export const AWAITED = 3;
/** Its outcome is recorded: what it settles with later is ignored. */
export const DONE = 4;
