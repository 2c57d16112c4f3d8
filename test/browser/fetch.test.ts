/**
 * Real `fetch`es in a real browser, against pages the test server serves on the
 * tests' own origin (see `vitest.browser.config.ts`): what cancellation means when
 * the task is a network request.
 */
import { describe, expect, it } from 'vitest';
import { gather, gatherSettled, isolate } from '../../src/index';
import { causeOf } from '../support/fixtures';
import {
  FAILING_PAGE,
  fetchText,
  HttpError,
  newRequestId,
  release,
  serverState,
  slowPage,
} from './support/server';

/** The outcome of a gather of a slow fetch and a failing one. */
interface FailedGather {
  /** The reason the gather rejected with. */
  reason: unknown;
  /** The reason the slow fetch rejected with. */
  slowReason: unknown;
  /** The id of the slow request, to ask the server what it saw of it. */
  slowId: string;
}

/**
 * Gathers a slow fetch and a fetch of a page that answers `500`. The failing task
 * fetches only once the server has received the slow request, so the abort always
 * finds that request in flight.
 */
async function gatherSlowAndFailing(): Promise<FailedGather> {
  const id = newRequestId();
  let slowFetch: Promise<string> | undefined;
  const reason = await gather([
    (signal) => {
      slowFetch = fetchText(slowPage(id), signal);
      return slowFetch;
    },
    async (signal) => {
      await serverState(id, 'received');
      return fetchText(FAILING_PAGE, signal);
    },
  ]).then(
    () => {
      throw new Error('expected the gather to reject');
    },
    (error: unknown) => error,
  );
  const slowReason = await slowFetch?.then(
    () => {
      throw new Error('expected the slow fetch to reject');
    },
    (error: unknown) => error,
  );
  return { reason, slowReason, slowId: id };
}

describe('gather 4. fail fast, cancel siblings: real fetches', () => {
  it('rejects with the failing fetch’s error', async () => {
    const { reason } = await gatherSlowAndFailing();
    expect(reason).toBeInstanceOf(HttpError);
    expect(reason).toMatchObject({ status: 500 });
  });

  it('rejects the slow fetch with an AbortError DOMException whose cause is that failure', async () => {
    const { reason, slowReason } = await gatherSlowAndFailing();
    expect(slowReason).toBeInstanceOf(DOMException);
    expect(slowReason).toMatchObject({ name: 'AbortError' });
    expect(causeOf(slowReason)).toBe(reason);
  });

  it('makes the server see the slow request aborted before it answered', async () => {
    const { slowId } = await gatherSlowAndFailing();
    await expect(serverState(slowId, 'settled')).resolves.toBe('aborted');
  });
});

describe('gatherSettled 3. deadline: real fetches', () => {
  /**
   * Settles a fetch that answers at once and a slow one under a 1 s deadline. (The
   * only timing this relies on: a page on localhost answers within a second.)
   */
  async function settleFastAndSlow() {
    const fastId = newRequestId();
    const slowId = newRequestId();
    const results = await gatherSettled(
      {
        fast: (signal) => fetchText(slowPage(fastId, 0), signal),
        slow: (signal) => fetchText(slowPage(slowId), signal),
      },
      { timeout: 1_000 },
    );
    return { results, slowId };
  }

  it('reports the slow fetch rejected with a TimeoutError DOMException', async () => {
    const { results } = await settleFastAndSlow();
    expect(results.slow.status).toBe('rejected');
    const reason = results.slow.status === 'rejected' ? results.slow.reason : undefined;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('keeps the result of the fetch that finished before the deadline', async () => {
    const { results } = await settleFastAndSlow();
    expect(results.fast).toEqual({ status: 'fulfilled', value: expect.stringMatching(/^slow /) });
  });

  it('makes the server see the slow request aborted by the deadline', async () => {
    const { slowId } = await settleFastAndSlow();
    await expect(serverState(slowId, 'settled')).resolves.toBe('aborted');
  });
});

describe('isolate: real fetches', () => {
  it('lets the other fetch complete when the failing fetch is isolated', async () => {
    const id = newRequestId();
    let signal: AbortSignal | undefined;
    const results = await gather([
      (s) => {
        signal = s;
        return fetchText(slowPage(id), s);
      },
      isolate(
        async (s) => {
          await serverState(id, 'received');
          return fetchText(FAILING_PAGE, s);
        },
        // The slow page answers only once the failure has been contained.
        { onError: () => release(id), fallback: 'fallback' },
      ),
    ]);
    expect(results).toEqual([`slow ${id}`, 'fallback']);
    expect(signal?.aborted).toBe(false);
  });

  it('rejects an isolated fetch cancelled by a sibling’s failure with the AbortError, not the fallback', async () => {
    const id = newRequestId();
    let isolated: Promise<unknown> | undefined;
    const failure = new Error('sibling failed');
    const call = gather([
      (signal) => {
        isolated = isolate((s: AbortSignal) => fetchText(slowPage(id), s), {
          fallback: 'fallback',
        })(signal);
        return isolated;
      },
      async () => {
        await serverState(id, 'received');
        throw failure;
      },
    ]);
    await expect(call).rejects.toBe(failure);
    const reason = await isolated?.catch((error: unknown) => error);
    expect(reason).toMatchObject({ name: 'AbortError' });
    expect(causeOf(reason)).toBe(failure);
  });
});
