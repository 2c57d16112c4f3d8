/** One queued item and the one after it. */
interface Node<T> {
  readonly item: T;
  next: Node<T> | undefined;
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
  #head: Node<T> | undefined = undefined;
  #tail: Node<T> | undefined = undefined;

  push(item: T): void {
    const node: Node<T> = { item, next: undefined };
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
  }

  /** The oldest item, taken off the queue; `undefined` when the queue is empty. */
  shift(): T | undefined {
    const node = this.#head;
    if (node === undefined) return undefined;
    this.#head = node.next;
    if (this.#head === undefined) this.#tail = undefined;
    return node.item;
  }
}
