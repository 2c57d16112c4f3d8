import { type OwnList, ownList } from './own-list';

/**
 * The state of each slot of a run (`Run.state`): a small integer per slot, the
 * one encoding every run uses. A slot only ever moves forward through these.
 * A slot the intake has not read yet holds no state (0 in a `Uint8Array`, a hole
 * reading `undefined` in a list): `values[slot]` is the input, untouched, and no
 * code compares with it.
 *
 * Kept in a `null`-prototype list for a run of up to 4,096 slots and in a
 * `Uint8Array` beyond, both read and written by index. A typed array's buffer is
 * allocated outside the heap, and the first one made after a full collection took
 * about 10 µs (later ones 1 µs; Node 20): for `gather` over 1,000 task functions
 * right after a collection, a tenth of `Promise.all`'s whole time. A list costs 8
 * bytes per slot inside the heap, which every young-generation collection during a
 * long call scans again: over 1e5 task functions at `concurrency: 16` it measured
 * 1.58–1.72× the bare worker loop, against 1.05–1.24× with the typed array.
 * ARCHITECTURE.md, "After a full collection".
 */
export type SlotStates = OwnList<number> | Uint8Array;

/** A task function waiting for its limiter to start it. */
export const WAITING = 1;
/** A task function that has been called and has not been seen to settle. */
export const RUNNING = 2;
/** A promise or thenable of the input, awaited (not a task function: never waited for as cleanup). */
export const AWAITED = 3;
/** Its outcome is recorded: what it settles with later is ignored. */
export const DONE = 4;

/** The most slots kept in a list. */
const LISTED_UP_TO = 4096;

/** `count` slots, none read yet. */
export function slotStates(count: number): SlotStates {
  return count <= LISTED_UP_TO ? ownList<number>(count) : new Uint8Array(count);
}
