/** An item pulled and not yet settled: a sync thenable being awaited, or waiting for the limiter. */
export const PULLED = 0;
/** Its mapper has been called and has not settled. */
export const RUNNING = 1;
/** `mapIterable` in input order: its result waits for the results before it. */
export const FINISHED = 2;
/** Its outcome is recorded (or fixed by an abort): what it settles with later is ignored. */
export const DONE = 3;

/**
 * One item of the source, from its pull until its outcome is recorded. A class,
 * not an object literal: its hidden class is reached from the constructor and kept
 * alive by the idle streams' items, so a full collection does not rebuild it.
 */
export class Item {
  /** Its place in the source; set again when a DONE item is reused for the next pulled (stream-intake.ts `recycle`). */
  index: number;
  /** The item until its mapper is called, then its outcome. */
  value: unknown;
  state = PULLED;
  /** The live list, in pull order: the items listed before and after this one (itself when unlisted). */
  previous: Item = this;
  next: Item = this;

  constructor(index: number, value: unknown) {
    this.index = index;
    this.value = value;
  }
}

/**
 * A live list: a head that is never pulled, linked in a ring with the listed
 * items — `head.next` is the oldest, `head.previous` the newest, and the list is
 * empty when both are the head. A ring, so that listing and unlisting is a few
 * field writes with no end to special-case; a list, not a `Map` by index, so that
 * in input order the oldest item is the next result.
 */
export function itemList(): Item {
  return new Item(-1, undefined);
}

/** Lists `item` last. */
export function listItem(head: Item, item: Item): void {
  const last = head.previous;
  item.previous = last;
  item.next = head;
  last.next = item;
  head.previous = item;
}

/** Takes `item` off its list: once, as it becomes DONE. It keeps no other item alive. */
export function unlistItem(item: Item): void {
  const { previous, next } = item;
  previous.next = next;
  next.previous = previous;
  item.previous = item;
  item.next = item;
}
