import { DONE, FINISHED, type Item, unlistItem } from './stream-item';

/** Where a `mapIterable` stream hands its results and its end. */
export interface StreamConsumer {
  /** A result, in the chosen order; the consumer takes it now or buffers it. */
  offer(value: unknown): void;
  /** Nothing more will be offered: then reject once with `reason` if `fails`, then done. */
  over(fails: boolean, reason: unknown): void;
}

/** `mapSettled`'s record of one outcome: what `Promise.allSettled` gives. */
export function outcomeOf(fulfilled: boolean, outcome: unknown): PromiseSettledResult<unknown> {
  return fulfilled
    ? { status: 'fulfilled', value: outcome }
    : { status: 'rejected', reason: outcome };
}

/**
 * `mapIterable`: the result of listed `item` is ready. In completion order it is
 * handed on now; in input order it waits, FINISHED, for the results before it.
 */
export function deliver(
  items: Item,
  item: Item,
  value: unknown,
  consumer: StreamConsumer,
  completionOrder: boolean,
): void {
  if (completionOrder) {
    item.state = DONE;
    unlistItem(item);
    consumer.offer(value);
    return;
  }
  item.state = FINISHED;
  item.value = value;
  // While the stream goes on, the oldest listed item is the next result in input
  // order: an item leaves the list before its turn only by failing, which ends it.
  // Re-read at every turn: handing a result on can pull and finish more items.
  for (let head = items.next; head.state === FINISHED; head = items.next) {
    unlistItem(head);
    head.state = DONE;
    const result = head.value;
    head.value = undefined;
    consumer.offer(result);
  }
}

/**
 * Input order, at a failure: every result finished before `position` is still
 * delivered, in order; an item still running there was aborted and is skipped —
 * no result, no gap marker.
 */
export function deliverFinished(items: Item, consumer: StreamConsumer, position: number): void {
  let next: Item;
  for (let item = items.next; item !== items && item.index < position; item = next) {
    next = item.next;
    if (item.state !== FINISHED) continue;
    unlistItem(item);
    item.state = DONE;
    consumer.offer(item.value);
    item.value = undefined;
  }
}
