import { shapeOutput } from './collection';
import { listAsArray, type OwnList, ownList } from './own-list';
import { absorbRejection, nativeThen } from './promises';
import { Run } from './run';

type PromiseCombinator = (this: PromiseConstructor, values: unknown[]) => Promise<unknown[]>;
const NativePromise = Promise;
const promiseAll = Promise.all as PromiseCombinator;
const promiseAllSettled = Promise.allSettled as PromiseCombinator;

/**
 * `gather`'s run: every task must fulfil. The first failure observed wins — it is
 * recorded before the siblings' signal is aborted — and later ones are absorbed.
 * Results are written over the input values, which the call owns.
 *
 * Two ways to wait for the pending tasks:
 * - *Batched* (no limit, the common case): the start loop only collects the
 *   promises, and hands them all to the platform's own `Promise.all`, which waits
 *   on each with no closure and no derived promise of ours — as fast and as small
 *   as `Promise.all` itself. Its rejection is the first failure, in the same order
 *   `Promise.all` observes it.
 * - *One by one* (under a `concurrency` window or a shared `limit`): each task
 *   function's settlement must hand its slot on, so each is watched on its own.
 */
export class AllRun extends Run {
  private failed = false;
  private failure: unknown = undefined;
  /** Batched mode: how many slots hold a promise to wait for. */
  private batchedCount = 0;
  /**
   * Batched mode: which slots those are, in input order. Written down only when
   * they are not simply the first `batchedCount` slots (the common case costs no
   * list), or when `waitForCleanup` must tell a task function's promise (`index`)
   * from a promise passed in (`~index`).
   */
  private batchedAt: OwnList<number> | undefined = undefined;
  /** Batched mode, every slot awaited: `Promise.all`'s own result array is the output. */
  private batchResults: unknown[] | undefined = undefined;
  /** The run ended inside the start loop and waits for its end to gather its cleanup. */
  private cleanupAwaitsLoop = false;
  // A failure needs no index: one handler per run serves every task, so a task
  // watched one by one costs one closure.
  private functionRejected: ((reason: unknown) => void) | undefined = undefined;
  private valueRejected: ((reason: unknown) => void) | undefined = undefined;

  protected override watch(promise: unknown, index: number, fromFunction: boolean): unknown {
    if (this.policy === undefined) {
      this.values[index] = promise;
      // Watched by the batch from now on, not by functionSettled.
      if (fromFunction) this.runningFunctions--;
      if (this.batchedAt === undefined) {
        if (index === this.batchedCount && !this.waitForCleanup) {
          this.batchedCount++;
          return undefined;
        }
        this.batchedAt = ownList<number>(this.batchedCount);
        for (let slot = 0; slot < this.batchedCount; slot++) this.batchedAt[slot] = slot;
      }
      this.batchedAt[this.batchedAt.length] = this.waitForCleanup && !fromFunction ? ~index : index;
      this.batchedCount++;
      return undefined;
    }
    if (fromFunction) {
      this.functionRejected ??= (reason) => this.functionSettled(-1, false, reason);
      return nativeThen.call(
        promise,
        (value) => this.functionSettled(index, true, value),
        this.functionRejected,
      );
    }
    this.valueRejected ??= (reason) => this.taskRejected(-1, reason);
    return nativeThen.call(
      promise,
      (value) => this.taskFulfilled(index, value),
      this.valueRejected,
    );
  }

  /** The slot of the `k`-th batched promise. */
  private batchedSlot(k: number): number {
    const at = this.batchedAt === undefined ? k : (this.batchedAt[k] as number);
    return at < 0 ? ~at : at;
  }

  protected override afterStartLoop(): void {
    const { batchedCount, values } = this;
    if (this.ended) {
      // Never awaited: give each a handler, so none is reported unhandled.
      for (let k = 0; k < batchedCount; k++) absorbRejection(values[this.batchedSlot(k)]);
      if (this.cleanupAwaitsLoop) {
        this.cleanupAwaitsLoop = false;
        this.holdForBatchedFunctions();
        this.releaseCleanupHold();
      }
      return;
    }
    if (batchedCount === 0) return;
    // Promise.all reads its input now: `values` is free to take results afterwards.
    const everySlot = batchedCount === values.length;
    let waited = values;
    if (!everySlot) {
      const list = ownList<unknown>(batchedCount);
      for (let k = 0; k < batchedCount; k++) list[k] = values[this.batchedSlot(k)];
      waited = listAsArray(list);
    }
    nativeThen.call(
      promiseAll.call(NativePromise, waited),
      (results) => this.batchFulfilled(results as unknown[], everySlot),
      (reason: unknown) => this.taskRejected(-1, reason),
    );
  }

  private batchFulfilled(results: unknown[], everySlot: boolean): void {
    if (this.ended) return;
    if (everySlot) this.batchResults = results;
    else for (let k = 0; k < results.length; k++) this.values[this.batchedSlot(k)] = results[k];
    this.slotsSettled(this.batchedCount);
  }

  protected override holdForCleanup(): void {
    if (this.policy !== undefined) return;
    if (!this.startLoopDone) {
      // Ended inside the start loop: the batch is complete only at its end.
      this.cleanupAwaitsLoop = true;
      this.takeCleanupHold();
      return;
    }
    this.holdForBatchedFunctions();
  }

  /** With `waitForCleanup`: settle only once every batched task function's promise has. */
  private holdForBatchedFunctions(): void {
    // With `waitForCleanup` every batched slot is written down, kind included.
    const running = ownList<unknown>();
    const batchedAt = this.batchedAt;
    const count = batchedAt === undefined ? 0 : batchedAt.length;
    for (let k = 0; k < count; k++) {
      const at = (batchedAt as OwnList<number>)[k] as number;
      if (at >= 0) running[running.length] = this.values[at];
    }
    if (running.length === 0) return;
    this.takeCleanupHold();
    nativeThen.call(
      promiseAllSettled.call(NativePromise, listAsArray(running)),
      () => this.releaseCleanupHold(),
      undefined,
    );
  }

  taskFulfilled(index: number, value: unknown): void {
    if (this.ended) return;
    this.values[index] = value;
    this.slotsSettled();
  }

  taskRejected(_index: number, reason: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.failure = reason;
    this.endWithFailure(reason);
  }

  followAbort(reason: unknown): void {
    if (this.ended) return;
    this.failed = true;
    this.failure = reason;
    // The caller's reason itself, same object: a caller who aborted with
    // `controller.abort(myReason)` sees `myReason` in the tasks and in the rejection.
    this.endByAbort(reason);
  }

  protected finish(): void {
    if (this.failed) this.rejectPromise(this.failure);
    else this.resolvePromise(shapeOutput(this.collection, this.batchResults ?? this.values));
  }
}
