import type { Collection } from './collection';
import type { Run } from './run';

/** A verdict on one outcome: recorded, the call goes on. */
export const GO_ON = 0;
/** A verdict: the call ends and resolves with this outcome (`first`'s winner). */
export const RESOLVE = 1;
/** A verdict: the call ends and rejects with this outcome (`gather`'s first failure). */
export const REJECT = 2;
export type Verdict = typeof GO_ON | typeof RESOLVE | typeof REJECT;
/**
 * What an outcome means for one public function — data the run consults, never
 * code that touches its state. `kept` is the run's `values`: each rule keeps there
 * what it needs of a slot once the slot is done (a value, an outcome, a reason).
 */
export interface Rules<C> {
  /** A failure does not end the call; on an abort, open slots read its reason. */
  readonly keepsEveryOutcome: boolean;
  /**
   * Present when every failure, whatever its slot, ends the call with that very
   * reason (`gather`): pending promises then go to `Promise.all` in one batch when
   * nothing limits (batch.ts).
   */
  readonly batch: Batch | undefined;
  /** Plain values are awaited a microtask later, as `Promise.any` awaits them. */
  readonly defersPlainValues: boolean;
  /** The call rejects with {@link result}, rather than resolving with it. */
  readonly resultRejects: boolean;
  fulfilled(kept: unknown[], slot: number, value: unknown, context: C): Verdict;
  rejected(kept: unknown[], slot: number, reason: unknown, context: C): Verdict;
  /** What it settles with when every slot is done, or aborted while keeping every outcome. */
  result(kept: unknown[], collection: Collection): unknown;
  /** Where the settlement goes instead of the run's promise (`asCompleted`'s iterator). */
  readonly settled: ((context: C, rejects: boolean, value: unknown) => void) | undefined;
}

/** The fast path of fail-fast rules (batch.ts), as the run calls it. */
export interface Batch {
  /** The start loop is over: wait on what it collected, or absorb it if the run ended. */
  handOver<C>(run: Run<C>): void;
  /** The run ended after the loop, with `waitForCleanup`: wait for its task functions. */
  holdForCleanup<C>(run: Run<C>): void;
}
