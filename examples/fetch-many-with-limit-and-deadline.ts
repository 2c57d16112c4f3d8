/**
 * A product page needs 6 product records and 5 reviews from one API that allows 3
 * requests at a time per client, and it must render within 500 ms with whatever has
 * arrived by then.
 *
 * One `pLimit(3)` is shared by two `gatherSettled` calls, so the API never sees more
 * than 3 of our requests at once, whichever call they belong to. Each call has a
 * 500 ms deadline. The review service is slow today: one review comes back, the ones
 * in flight at the deadline are aborted — the server sees its client leave — and the
 * one still queued behind the limit is never sent.
 *
 * Run: `npm run examples` (every example, against the build). This one alone:
 * `npm run build && npx tsx --tsconfig examples/tsconfig.run.json examples/fetch-many-with-limit-and-deadline.ts`
 * (plain `npx tsx` maps `'p-gather'` to `src/` through tsconfig.json's `paths`).
 */

import { gatherSettled } from 'p-gather';
import pLimit from 'p-limit';
import { describeReason, fetchJson } from './support/http';
import { type Reply, startServer } from './support/server';

const LIMIT = 3;
const DEADLINE = 500;

const productNames = ['kettle', 'teapot', 'mug', 'cup', 'saucer', 'strainer'];
const productPaths = productNames.map((_, index) => `/products/${index + 1}`);
const reviewPaths = [1, 2, 3, 4, 5].map((id) => `/reviews/${id}`);

/**
 * The API. Products take 80 ms: two rounds of 3, done by ~160 ms. Then the reviews
 * get the places: /reviews/1 takes 60 ms, the others 3 s, so /reviews/4 starts at
 * ~220 ms and /reviews/5 waits. Every event lies far from the deadline, so a busy
 * machine cannot change the story.
 */
const routes: Record<string, Reply> = {
  ...Object.fromEntries(
    productPaths.map((path, index) => [path, { delay: 80, body: productNames[index] }]),
  ),
  ...Object.fromEntries(reviewPaths.map((path) => [path, { delay: 3_000, body: '★★★☆☆' }])),
  '/reviews/1': { delay: 60, body: '★★★★★' },
};

const server = await startServer(routes);
try {
  const limit = pLimit(LIMIT);
  const started = new Set<string>();
  let running = 0;
  let mostAtOnce = 0;

  /** A task function that fetches `path` with the task's signal, counted while it runs. */
  const load = (path: string) => async (signal: AbortSignal) => {
    started.add(path);
    mostAtOnce = Math.max(mostAtOnce, ++running);
    try {
      return await fetchJson(server.url(path), signal);
    } finally {
      running--;
    }
  };

  console.log(
    `Fetching ${productPaths.length} products and ${reviewPaths.length} reviews through one pLimit(${LIMIT}), each call with a ${DEADLINE} ms deadline`,
  );
  const t0 = performance.now();
  const timed = async <T>(work: Promise<T>) => {
    const value = await work;
    return { value, after: Math.round(performance.now() - t0) };
  };
  const [products, reviews] = await Promise.all([
    timed(gatherSettled(productPaths.map(load), { limit, timeout: DEADLINE })),
    timed(gatherSettled(reviewPaths.map(load), { limit, timeout: DEADLINE })),
  ]);

  report('products', productPaths, products.value, products.after);
  report('reviews', reviewPaths, reviews.value, reviews.after);

  const requests = await server.settled();
  const count = (outcome: string) => requests.filter((r) => r.outcome === outcome).length;
  console.log(`\nat most ${mostAtOnce} requests ran at once (the limit: ${LIMIT})`);
  console.log(
    `server: ${requests.length} requests received, ${count('answered')} answered, ${count('aborted')} aborted by the client`,
  );

  /** One line per slot: its value, or why it has none — cut off running, or never sent. */
  function report(
    what: string,
    paths: readonly string[],
    slots: readonly PromiseSettledResult<unknown>[],
    after: number,
  ): void {
    const fulfilled = slots.filter((slot) => slot.status === 'fulfilled').length;
    console.log(`\n${what}: settled after ${after} ms, ${fulfilled} of ${slots.length} fulfilled`);
    slots.forEach((slot, index) => {
      const path = paths[index] ?? '?';
      const outcome =
        slot.status === 'fulfilled'
          ? `fulfilled: ${JSON.stringify(slot.value)}`
          : `rejected: ${describeReason(slot.reason)} (${started.has(path) ? 'running at the deadline: aborted' : 'still queued: never sent'})`;
      console.log(`  ${path.padEnd(12)} ${outcome}`);
    });
  }
} finally {
  await server.close();
}
