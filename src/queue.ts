/** One queued item, and the cell after it. */
interface Cell<T> {
  readonly item: T;
  next: Cell<T> | undefined;
}

/**
 * A first-in first-out queue: the one p-gather uses (a group's spawned task
 * functions waiting for its limiter, `asCompleted`'s buffered entries and waiting
 * `next()` calls). A linked list: taking from the head never moves the rest or
 * needs compacting, a long-lived queue holds only what waits, and no array is
 * written to — so nothing can go through a setter a page defined on `Array.prototype`.
 */
export class Queue<T> {
  /** Invariant: the oldest node, `undefined` exactly when {@link tail} is. */
  #head: Cell<T> | undefined;
  #tail: Cell<T> | undefined;

  push(item: T): void {
    const cell: Cell<T> = { item, next: undefined };
    if (this.#tail === undefined) this.#head = cell;
    else this.#tail.next = cell;
    this.#tail = cell;
  }

  /** The oldest item, taken off the queue; `undefined` when the queue is empty. */
  shift(): T | undefined {
    const cell = this.#head;
    if (cell === undefined) return undefined;
    this.#head = cell.next;
    if (this.#head === undefined) this.#tail = undefined;
    return cell.item;
  }
}
