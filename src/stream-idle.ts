import { keptLists, type OwnList, ownList } from './own-list';
import { MAP, MAP_ITERABLE, Stream } from './stream';
import { readStreamArguments } from './stream-arguments';
import type { StreamConsumer } from './stream-delivery';
import { Item } from './stream-item';

/**
 * Idle streams kept for the life of the module once a stream has been made: a
 * full collection must not free the hidden classes of `Stream`, of its items and
 * of its settings, and with them the optimised code of every later call
 * (ARCHITECTURE.md, "After a full collection"; call.ts keeps idle runs the same
 * way). One per shape of settings (no options, options given) with and without
 * a consumer, never begun, and two idle items, one holding an object and one a
 * small integer, as pulled items do. They hold nothing of any call.
 */
let idleStreams: OwnList<unknown> | undefined;

export function keepIdleStreams(): void {
  if (idleStreams !== undefined) return;
  const idle = ownList<unknown>();
  idleStreams = idle;
  for (const options of [undefined, { concurrency: 1 }]) {
    for (const consumer of [undefined, idleConsumer]) {
      const iterable = consumer !== undefined;
      const { settings } = readStreamArguments([], idleMapper, options, iterable);
      idle[idle.length] = new Stream(iterable ? MAP_ITERABLE : MAP, idleMapper, settings, consumer);
    }
  }
  idle[idle.length] = new Item(0, idle);
  idle[idle.length] = new Item(1, 0);
  idle[idle.length] = keptLists;
}

/** Keeps `value` with the idle streams, for the same reason (map-iterable.ts keeps an iterator). */
export function keepIdle(value: unknown): void {
  keepIdleStreams();
  const idle = idleStreams as OwnList<unknown>;
  idle[idle.length] = value;
}

function idleMapper(): void {}

const idleConsumer: StreamConsumer = { offer: idleMapper, over: idleMapper };
