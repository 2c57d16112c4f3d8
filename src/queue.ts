/**
 * A first-in first-out queue: a ring buffer, so taking from the head never moves
 * the rest and never needs compacting. The one queue p-gather uses (a group's
 * queued spawns, `asCompleted`'s buffered entries and waiting `next()` calls).
 *
 * Why the buffer is made by an array literal and grown by `concat`: both create
 * own data properties, so every later write by index hits an own property —
 * nothing is written through `Array.prototype`, whatever a page defined there
 * (a `push`, or a write into a hole, would call a setter on the prototype).
 */
export class Queue<T> {
  /** Invariant: a power of two long; the items sit at `head`, `head + 1`, … (mod length). */
  private items: (T | undefined)[] = [undefined, undefined, undefined, undefined];
  private head = 0;
  /** Invariant: how many items are queued; the other places hold `undefined`. */
  size = 0;

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & (this.items.length - 1)] = item;
    this.size++;
  }

  /** The oldest item, taken off the queue; `undefined` when the queue is empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return item;
  }

  /** Doubles the buffer, oldest item first. */
  private grow(): void {
    const { items, head } = this;
    const ordered = items.slice(head).concat(items.slice(0, head));
    this.items = ordered.concat(ordered);
    for (let index = ordered.length; index < this.items.length; index++) {
      this.items[index] = undefined;
    }
    this.head = 0;
  }
}
