/**
 * Tests that need Node: the core suites also run in Chromium (vitest.browser.config.ts),
 * where these skip themselves.
 */
import { it } from 'vitest';

export const inNode = typeof process !== 'undefined' && typeof process.on === 'function';

/** Node's `node:events`, for its own count of a signal's listeners; absent in a browser. */
const events = inNode ? await import('node:events') : undefined;

/** `it`, skipped outside Node. */
export const itInNode = it.skipIf(!inNode);

/** How many `'abort'` listeners `signal` has, as Node itself counts them. */
export function abortListenerCount(signal: AbortSignal): number {
  if (events === undefined) throw new Error('counting listeners needs node:events');
  return events.EventEmitter.getEventListeners(signal, 'abort').length;
}
