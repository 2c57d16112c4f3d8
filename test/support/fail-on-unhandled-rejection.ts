/**
 * Fails the test during which a promise rejection went unhandled.
 *
 * p-gather promises that no rejection it absorbs (a sibling's, a late one, a native
 * promise on a path that starts nothing) is ever reported unhandled. Vitest reports
 * such a rejection for the whole run; this file pins it on the test that caused it.
 *
 * Runs in Node (the `unhandledRejection` process event) and in a browser (the
 * window's `unhandledrejection` event).
 */
import { afterEach, beforeEach } from 'vitest';

// Captured before any test installs fake timers, so `afterEach` can always yield a
// real macrotask.
const realSetTimeout = globalThis.setTimeout;

const unhandled: unknown[] = [];

function record(reason: unknown): void {
  unhandled.push(reason);
}

if (typeof process !== 'undefined' && typeof process.on === 'function') {
  process.on('unhandledRejection', record);
} else if (typeof window !== 'undefined') {
  window.addEventListener('unhandledrejection', (event) => record(event.reason));
}

function describeReason(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (typeof reason === 'symbol') return reason.toString();
  try {
    return `${JSON.stringify(reason) ?? String(reason)} (${typeof reason})`;
  } catch {
    return String(reason);
  }
}

beforeEach(() => {
  unhandled.length = 0;
});

afterEach(async () => {
  // Node reports an unhandled rejection once the microtask queue has drained; one
  // real macrotask lets every pending report arrive before the check. A browser
  // queues its `unhandledrejection` event as a task when the microtask checkpoint
  // ends, behind the timer this hook queued inside that checkpoint: a second
  // macrotask lets it arrive. (One was not enough in Chromium: a rejection left by a
  // file's first tests was pinned on the next test, and one left by its last test
  // on none.)
  await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
  await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
  if (unhandled.length === 0) return;
  const reasons = unhandled.splice(0).map(describeReason);
  throw new Error(
    `This test left ${reasons.length} unhandled promise rejection(s): ${reasons.join('; ')}`,
  );
});
