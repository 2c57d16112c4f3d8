/**
 * A search box queries three backends at once — books, movies, music — and shows
 * whatever they return. Any one of them may be down; that must cost its results,
 * never the whole search.
 *
 * Each backend is `isolate`d: its failure is logged by `onError` and an empty list
 * stands in, so its siblings are never aborted. A user who types on cancels the
 * search in flight: cancellation is not a backend failure, so `isolate` lets it
 * through, `onError` stays silent, and the whole stale search stops.
 *
 * Run: `npm run examples` (every example, against the build). This one alone:
 * `npm run build && npx tsx --tsconfig examples/tsconfig.run.json examples/fan-out-with-isolate.ts`
 * (plain `npx tsx` maps `'p-gather'` to `src/` through tsconfig.json's `paths`).
 */
import { gather, isolate } from 'p-gather';
import { describeReason, fetchJson } from './support/http';
import { type Reply, type Served, startServer } from './support/server';

const BACKENDS = ['books', 'movies', 'music'] as const;
type Backend = (typeof BACKENDS)[number];

/** The user types "dun", then 100 ms later an "e": the first search is stale. */
const TYPED_ON_AFTER = 100;

/**
 * The backends, by query. Music is rebuilding its index and answers 503 after
 * 200 ms; movies and books answer after 250 and 300 ms. The user types on well
 * after the requests have reached the server and well before any backend answers,
 * so a busy machine cannot change the story.
 */
const catalogue: Record<Backend, Reply> = {
  books: { delay: 300, body: ['Dune', 'Dune Messiah'] },
  movies: { delay: 250, body: ['Dune (1984)', 'Dune: Part One'] },
  music: { delay: 200, status: 503, body: 'index rebuilding, try again later' },
};
const routes: Record<string, Reply> = Object.fromEntries(
  ['dun', 'dune'].flatMap((query) =>
    BACKENDS.map((backend) => [`/search/${backend}?q=${query}`, catalogue[backend]]),
  ),
);

const server = await startServer(routes);
try {
  let onErrorCalls = 0;

  /**
   * One backend's part of a search, isolated: its failure is logged and an empty
   * list stands in, so it never aborts the other backends.
   */
  const searchIn = (backend: Backend, query: string) =>
    isolate(
      async (signal) =>
        titles(await fetchJson(server.url(`/search/${backend}?q=${query}`), signal)),
      {
        fallback: [],
        onError: (error) => {
          onErrorCalls++;
          console.log(
            `  [warn] ${backend} search failed, showing the others: ${describeReason(error)}`,
          );
        },
      },
    );

  /** Searches every backend at once; the caller's `signal` still cancels all of it. */
  const search = (query: string, signal?: AbortSignal) =>
    gather(
      {
        books: searchIn('books', query),
        movies: searchIn('movies', query),
        music: searchIn('music', query),
      },
      { signal, timeout: 2_000 },
    );

  console.log(`search "dun" (the user types on after ${TYPED_ON_AFTER} ms)`);
  const typing = new AbortController();
  const stale = search('dun', typing.signal);
  setTimeout(() => typing.abort(new Error('superseded by "dune"')), TYPED_ON_AFTER);
  try {
    await stale;
    console.log('  resolved?! it should have been cancelled');
  } catch (reason) {
    console.log(
      `  cancelled: ${describeReason(reason)} (the controller's reason: ${reason === typing.signal.reason})`,
    );
    console.log(`  onError calls: ${onErrorCalls}: a cancellation is not a backend failure`);
  }
  printServer(await server.settled());

  console.log('\nsearch "dune"');
  const t0 = performance.now();
  const results = await search('dune');
  console.log(`  resolved after ${Math.round(performance.now() - t0)} ms`);
  for (const backend of BACKENDS) {
    console.log(`  ${backend.padEnd(7)} ${results[backend].join('; ') || '(none)'}`);
  }
  printServer(await server.settled());
} finally {
  await server.close();
}

/** The backends' answer, checked: a list of titles. */
function titles(body: unknown): string[] {
  if (!Array.isArray(body) || !body.every((title) => typeof title === 'string')) {
    throw new TypeError(`expected a list of titles, got ${JSON.stringify(body)}`);
  }
  return body;
}

/** The server's side: which requests were answered, which were aborted by the client. */
function printServer(requests: readonly Served[]): void {
  const byPath = [...requests].sort((a, b) => a.path.localeCompare(b.path));
  for (const { path, outcome } of byPath) console.log(`  server: ${path.padEnd(22)} ${outcome}`);
}
