import { createAbortError } from './abort-errors';
import { listAsArray, type OwnList, ownList } from './own-list';
import { fulfilledPromise, nativeThen } from './promises';
import { Run } from './run';

/** `AggregateError` where it exists; an `Error` with the same `errors` elsewhere. */
function allRejected(errors: unknown[]): Error {
  const message = 'All tasks were rejected';
  if (typeof AggregateError === 'function') return new AggregateError(errors, message);
  const error = new Error(message) as Error & { errors: unknown[] };
  error.name = 'AggregateError';
  error.errors = errors;
  return error;
}

/**
 * `first`'s run: the first task to fulfil wins, as in `Promise.any`, and at that
 * moment the others are aborted with an `"AbortError"` (no failure caused it, so
 * its `cause` is `undefined`) — hedged requests whose losers stop. A failure is
 * only recorded; when every task has failed, the call rejects with an
 * `AggregateError` of their reasons in input order.
 */
export class FirstRun extends Run {
  private won = false;
  private winner: unknown = undefined;
  private aborted = false;
  private abortReason: unknown = undefined;
  private readonly errors: OwnList<unknown> = ownList(this.values.length);

  taskFulfilled(_index: number, value: unknown): void {
    if (this.ended) return;
    this.won = true;
    this.winner = value;
    // The losers are not failures: nothing caused their abort but the win.
    this.end(() => createAbortError(undefined));
  }

  /**
   * A plain value in the input is awaited as `Promise.any` awaits it — in a
   * microtask, in input order with the promises before it — so an already
   * fulfilled promise earlier in the input wins over it. (A task function that
   * returns a plain value still wins as it returns.) No promise is made of the
   * value itself: its `then` has been read once already.
   */
  protected override valueRead(index: number, value: unknown): void {
    nativeThen.call(fulfilledPromise(), () => this.taskFulfilled(index, value), undefined);
  }

  taskRejected(index: number, reason: unknown): void {
    if (this.ended) return;
    this.errors[index] = reason;
    this.slotsSettled();
  }

  followAbort(reason: unknown): void {
    if (this.ended) return;
    this.aborted = true;
    this.abortReason = reason;
    this.endByAbort(reason);
  }

  protected finish(): void {
    if (this.won) this.resolvePromise(this.winner);
    else if (this.aborted) this.rejectPromise(this.abortReason);
    else this.rejectPromise(allRejected(listAsArray(this.errors)));
  }
}
