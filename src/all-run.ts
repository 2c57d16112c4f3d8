import { shapeOutput } from './collection';
import { nativeThen } from './promises';
import { Run } from './run';

/**
 * `gather`'s run: every task must fulfil. The first failure observed wins — it is
 * recorded before the siblings' signal is aborted — and later ones are absorbed.
 * Results are written over the input values, which the call owns.
 */
export class AllRun extends Run {
  private failed = false;
  private failure: unknown = undefined;
  // A failure needs no index: one handler per run serves every task, so a task
  // costs one closure, as in `Promise.all`.
  private readonly functionRejected = (reason: unknown): void =>
    this.functionSettled(-1, false, reason);
  private readonly valueRejected = (reason: unknown): void => this.taskRejected(-1, reason);

  protected watch(promise: unknown, index: number, fromFunction: boolean): unknown {
    return fromFunction
      ? nativeThen.call(
          promise,
          (value) => this.functionSettled(index, true, value),
          this.functionRejected,
        )
      : nativeThen.call(promise, (value) => this.taskFulfilled(index, value), this.valueRejected);
  }

  taskFulfilled(index: number, value: unknown): void {
    if (this.ended) return;
    this.values[index] = value;
    this.slotSettled();
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
    this.end(() => reason);
  }

  protected finish(): void {
    if (this.failed) this.rejectPromise(this.failure);
    else this.resolveWith(shapeOutput(this.collection, this.values));
  }
}
