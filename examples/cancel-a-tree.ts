/**
 * A dashboard loads as a tree of gathers: the profile and the feed at once; once the
 * feed lists its posts, each post's body and comments at once. Before it has
 * loaded, the user leaves the page.
 *
 * The page owns one `AbortController`. The root gather takes its signal, and every
 * nested gather takes its parent task's signal, so a single `controller.abort()`
 * reaches every level: each gather rejects with the very reason given, and every
 * fetch still in flight is aborted on the wire. `waitForCleanup: true` at each level
 * means that when the root rejects, nothing of the tree is still running — the page
 * can be torn down safely.
 *
 * Run: `npm run examples` (every example, against the build). This one alone:
 * `npm run build && npx tsx --tsconfig examples/tsconfig.run.json examples/cancel-a-tree.ts`
 * (plain `npx tsx` maps `'p-gather'` to `src/` through tsconfig.json's `paths`).
 */
import { gather } from 'p-gather';
import { describeReason, fetchJson } from './support/http';
import { type Reply, startServer } from './support/server';

/** When the user leaves: long after the profile and feed, long before any post. */
const LEAVES_AFTER = 300;

const POST_IDS = ['1', '2', '3'];

/** The API: the profile and the post list are quick, the posts themselves slow. */
const routes: Record<string, Reply> = {
  '/profile': { delay: 40, body: 'Ada Lovelace' },
  '/feed': { delay: 40, body: POST_IDS },
  ...Object.fromEntries(
    POST_IDS.flatMap((id) => [
      [`/posts/${id}`, { delay: 2_000, body: `post ${id}` }],
      [`/posts/${id}/comments`, { delay: 2_000, body: [] }],
    ]),
  ),
};

const server = await startServer(routes);
try {
  let fetchesRunning = 0;
  /** `fetchJson`, counted while it runs: to show that nothing outlives the tree. */
  const get = async (path: string, signal: AbortSignal) => {
    fetchesRunning++;
    try {
      return await fetchJson(server.url(path), signal);
    } finally {
      fetchesRunning--;
    }
  };

  /** How each gather of the tree ended, by its place in the tree. */
  const levels = new Map<string, PromiseSettledResult<unknown>>();

  /** Records how the gather at `label` ends, and passes its outcome on untouched. */
  const watch = <T>(label: string, work: Promise<T>): Promise<T> => {
    work.then(
      (value) => levels.set(label, { status: 'fulfilled', value }),
      (reason: unknown) => levels.set(label, { status: 'rejected', reason }),
    );
    return work;
  };

  /** One post: its body and its comments at once, cancelled with its parent. */
  const loadPost = (id: string, signal: AbortSignal) =>
    watch(
      `post ${id}`,
      gather(
        {
          body: (signal) => get(`/posts/${id}`, signal),
          comments: (signal) => get(`/posts/${id}/comments`, signal),
        },
        { signal, waitForCleanup: true },
      ),
    );

  /** The feed: the list of posts, then every post at once. */
  const loadFeed = async (signal: AbortSignal) => {
    const ids = postIds(await get('/feed', signal));
    return watch(
      'feed',
      gather(
        ids.map((id) => (signal) => loadPost(id, signal)),
        { signal, waitForCleanup: true },
      ),
    );
  };

  /** The page: the profile and the feed at once, cancelled by the page's signal. */
  const loadDashboard = (signal: AbortSignal) =>
    watch(
      'dashboard',
      gather(
        {
          profile: (signal) => get('/profile', signal),
          feed: (signal) => loadFeed(signal),
        },
        { signal, waitForCleanup: true },
      ),
    );

  console.log('loading the dashboard: the profile and the feed, then each post with its comments');
  const page = new AbortController();
  const t0 = performance.now();
  const loading = loadDashboard(page.signal);
  setTimeout(() => {
    console.log(`the user leaves the page after ${Math.round(performance.now() - t0)} ms`);
    page.abort(new Error('the user left the page'));
  }, LEAVES_AFTER);

  try {
    await loading;
    console.log('the dashboard loaded?! it should have been cancelled');
  } catch (reason) {
    const after = Math.round(performance.now() - t0);
    console.log(`loadDashboard rejected after ${after} ms: ${describeReason(reason)}`);
    console.log(`fetches still running at that moment: ${fetchesRunning}`);
  }

  console.log('\nevery gather in the tree:');
  for (const label of ['dashboard', 'feed', ...POST_IDS.map((id) => `post ${id}`)]) {
    const level = levels.get(label);
    const outcome =
      level === undefined
        ? 'still pending?!'
        : level.status === 'fulfilled'
          ? 'fulfilled'
          : `rejected with ${level.reason === page.signal.reason ? "the page's abort reason, the same object" : describeReason(level.reason)}`;
    console.log(`  ${label.padEnd(10)} ${outcome}`);
  }

  console.log('\nthe server:');
  const requests = await server.settled();
  for (const path of Object.keys(routes)) {
    const outcome = requests.find((request) => request.path === path)?.outcome ?? 'never asked';
    console.log(`  ${path.padEnd(18)} ${outcome}`);
  }
} finally {
  await server.close();
}

/** The feed's answer, checked: a list of post ids. */
function postIds(body: unknown): string[] {
  if (!Array.isArray(body) || !body.every((id) => typeof id === 'string')) {
    throw new TypeError(`expected a list of post ids, got ${JSON.stringify(body)}`);
  }
  return body;
}
