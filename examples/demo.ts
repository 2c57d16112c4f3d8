/**
 * `npm run demo`: p-gather against a real HTTP server on 127.0.0.1, with the global
 * `fetch` and each task's signal. It builds first: the demo imports `'p-gather'` as
 * a user's code does, which resolves through the package's `exports` to dist/ (tsx
 * runs it with examples/tsconfig.run.json, which has no `paths` mapping to src/).
 *
 * 1. Three pages one by one, then at once with `gather`: the time saved.
 * 2. A failing page: `gather` rejects, and the pages still loading are aborted —
 *    at the server too.
 * 3. The failing page `isolate`d: its fallback stands in, the rest complete.
 * 4. `gatherSettled` with a deadline: partial results.
 * 5. Hedged requests with `first`: the faster mirror wins, the slower one's fetch
 *    is aborted — at the server too.
 * 6. A crawler: a `TaskGroup` spawns a task for each new link as pages arrive, 3 at
 *    a time — each page fetched once, never more than 3 at the server — and
 *    `asCompleted` reports each section of the site as its crawl completes.
 * 7. `retry` and `withTimeout`: a flaky mirror that fails twice and then answers is
 *    retried with the default backoff, and a stuck page is cut off by its own
 *    timeout (at the server too) while the other pages go on.
 * 8. A stream: `mapIterable` reads a long NDJSON response as it arrives, looks up
 *    each event 6 at a time, prints progress as results come, then leaves the loop
 *    — the server sees the rest of the body cancelled and no more lookups.
 *
 * Each step draws its timeline and checks what it claims. A step that does not
 * behave exits non-zero, so CI notices a broken demo.
 */
import { inspect } from 'node:util';
import {
  asCompleted,
  first,
  gather,
  gatherSettled,
  isolate,
  mapIterable,
  retry,
  TaskGroup,
  withTimeout,
} from 'p-gather';
import { legend, type Marker, palette, reasonText, type Span, Timeline } from './demo/timeline';
import { fetchJson, fetchPage, HttpError } from './support/http';
import { ndjson } from './support/ndjson';
import {
  type LocalServer,
  type Reply,
  type Route,
  type Served,
  startServer,
} from './support/server';

/** The backend. Delays lie far apart, so a busy machine cannot change the story. */
const pages = {
  '/user': { delay: 80, status: 200, body: 'Ada Lovelace' },
  '/flaky': { delay: 150, status: 500, body: 'database on fire' },
  '/orders': { delay: 250, status: 200, body: '3 orders' },
  '/recommendations': { delay: 600, status: 200, body: '5 books' },
  '/mirror-eu': { delay: 120, status: 200, body: 'file from the EU mirror' },
  '/mirror-us': { delay: 600, status: 200, body: 'file from the US mirror' },
  '/stuck-report': { delay: 10_000, status: 200, body: 'the report, far too late' },
} as const;
type Path = keyof typeof pages;

/** Steps 2–4 draw on the scale of the slowest page, so what was cut short shows. */
const SLOWEST = pages['/recommendations'].delay;

/** Step 7's flaky mirror: busy twice, then it answers. */
const FLAKY_MIRROR = '/mirror-flaky';
const FLAKY_ANSWER = 'file from the flaky mirror';
const flakyMirror: readonly Reply[] = [
  { delay: 40, status: 503, body: 'busy, try again' },
  { delay: 40, status: 503, body: 'busy, try again' },
  { delay: 40, status: 200, body: FLAKY_ANSWER },
];

/** Step 7's stuck page, and the deadline it gets of its own. */
const STUCK_PAGE = '/stuck-report';
const STUCK_TIMEOUT = 300;

/** Step 4's deadline: after /orders (250 ms), well before /recommendations (600 ms). */
const DEADLINE = 400;

/** Step 6's bound: how many pages the crawler fetches at once. */
const CRAWL_CONCURRENCY = 3;

/** Where step 6's crawl starts: the site's home page. */
const HOME = '/site/';

/**
 * Step 6's site: how long each page takes, and what it links to. Every page links
 * home and to its section, and two link across sections, so without its `seen` set
 * the crawler would never stop. The home page lists three sections; the docs come
 * first but hold the slow guide. Three at a time, no two pages end within 70 ms of
 * each other, so a busy machine cannot change the story: /site/shop completes at
 * ~590 ms, /site/blog at ~690 ms, /site/docs at ~830 ms.
 */
const site: Readonly<Record<string, { readonly delay: number; readonly links: string[] }>> = {
  [HOME]: { delay: 50, links: ['/site/docs', '/site/blog', '/site/shop'] },
  '/site/docs': {
    delay: 80,
    links: [HOME, '/site/docs/guide', '/site/docs/api', '/site/docs/faq'],
  },
  '/site/blog': { delay: 180, links: [HOME, '/site/blog/hello', '/site/blog/release'] },
  '/site/shop': { delay: 250, links: [HOME, '/site/shop/cart'] },
  '/site/docs/guide': { delay: 700, links: [HOME, '/site/docs'] },
  '/site/docs/api': { delay: 140, links: [HOME, '/site/docs'] },
  '/site/docs/faq': { delay: 140, links: [HOME, '/site/docs', '/site/shop/cart'] },
  '/site/blog/hello': { delay: 140, links: [HOME, '/site/blog', '/site/docs/api'] },
  '/site/blog/release': { delay: 250, links: [HOME, '/site/blog'] },
  '/site/shop/cart': { delay: 80, links: [HOME, '/site/shop'] },
};
const SLOW_SECTION = '/site/docs';

/**
 * Step 8's stream: 3,000 events as NDJSON, 30 lines every 10 ms — a full second if
 * read to the end. Each event is looked up at /lookup/<id>, which takes 20, 35 or
 * 50 ms, so results finish out of order. The loop leaves after LEAVE_AFTER results,
 * about a fifth of a second in.
 */
const EVENTS = { count: 3_000, perTick: 30, every: 10 } as const;
const STREAM_CONCURRENCY = 6;
const LEAVE_AFTER = 48;
const lookupDelay = (id: number) => 20 + (id % 3) * 15;

const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = palette(colour);

/** A step that did not do what the demo says it does. */
class BrokenDemo extends Error {
  override readonly name = 'BrokenDemo';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BrokenDemo(message);
}

async function main(): Promise<void> {
  const routes: Record<string, Route> = {
    ...pages,
    ...siteRoutes(),
    [FLAKY_MIRROR]: flakyMirror,
    ...streamRoutes(),
  };
  const server = await startServer((path) => routes[path] ?? lookupRoute(path), { bodies: 'text' });
  try {
    console.log(`p-gather demo — a local server at ${server.origin}\n${legend(colour)}`);
    await oneByOneThenAtOnce(server);
    await failFast(server);
    await isolateTheFlakyPage(server);
    await partialResultsByTheDeadline(server);
    await hedgedRequests(server);
    await crawlTheSite(server);
    await retryAndTimeout(server);
    await streamTheEvents(server);
    console.log(`\n${paint.ok('✓ Every step behaved as described.')}`);
  } finally {
    await server.close();
  }
}

async function oneByOneThenAtOnce(server: LocalServer): Promise<void> {
  heading('1. Three pages, one by one, then at once with gather()');
  const oneByOne = new Timeline();
  const loadInTurn = pageLoader(server, oneByOne);
  const { signal } = new AbortController();
  for (const path of ['/user', '/orders', '/recommendations'] as const) {
    await loadInTurn(path)(signal);
  }
  const oneByOneMs = oneByOne.now();

  const atOnce = new Timeline();
  const load = pageLoader(server, atOnce);
  const pagesByName = await gather({
    user: load('/user'),
    orders: load('/orders'),
    recommendations: load('/recommendations'),
  });
  const atOnceMs = atOnce.now();
  await server.settled();

  show('one by one, awaiting each fetch', oneByOne, {
    scale: oneByOneMs,
    marker: { at: oneByOneMs, label: 'the last page arrived' },
  });
  show('gather({ user, orders, recommendations })', atOnce, {
    scale: oneByOneMs,
    marker: { at: atOnceMs, label: 'gather resolved' },
  });
  say(`→ ${inspect(pagesByName, { breakLength: Number.POSITIVE_INFINITY, colors: colour })}`);

  const spans = await atOnce.settled();
  const lastStart = Math.max(...spans.map((span) => span.start ?? Number.POSITIVE_INFINITY));
  const firstEnd = Math.min(...spans.map((span) => span.end ?? 0));
  check(lastStart < firstEnd, 'gather did not start every page before the first one arrived');
  check(pagesByName.recommendations === pages['/recommendations'].body, 'gather lost a page');
  const saved = oneByOneMs - atOnceMs;
  check(saved > 0, `gather (${ms(atOnceMs)}) was not faster than one by one (${ms(oneByOneMs)})`);
  pass(`gather took ${ms(atOnceMs)} instead of ${ms(oneByOneMs)}: ${ms(saved)} saved.`);
}

async function failFast(server: LocalServer): Promise<void> {
  heading('2. One page fails: gather() rejects and aborts the pages still loading');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const failure = await rejectionOf(
    gather([load('/user'), load('/orders'), load('/recommendations'), load('/flaky')]),
    'gather with a failing page',
  );
  const rejectedAt = timeline.now();
  const spans = await timeline.settled();
  const requests = await server.settled();

  show('gather([user, orders, recommendations, flaky])', timeline, {
    scale: SLOWEST,
    marker: { at: rejectedAt, label: 'gather rejected' },
  });
  say(`→ rejected with ${inspect(failure, { depth: 0 }).split('\n')[0]}`);
  showServer(requests);

  check(
    failure instanceof HttpError && failure.status === 500,
    `gather should reject with the /flaky failure, not ${reasonText(failure)}`,
  );
  for (const span of spans) {
    if (span.label === '/flaky' || span.outcome === 'ok') continue;
    check(
      span.outcome === 'aborted' && isAbortError(span.reason) && span.reason.cause === failure,
      `${span.label} should end with an AbortError caused by the failure, not ${span.outcome}: ${reasonText(span.reason)}`,
    );
  }
  const slowFetch = spans.find((span) => span.label === '/recommendations');
  check(
    slowFetch?.outcome === 'aborted',
    `the /recommendations fetch was not aborted: it ended ${slowFetch?.outcome ?? 'untracked'}`,
  );
  const slow = requestOf(requests, '/recommendations');
  check(
    slow.outcome === 'aborted',
    'the server answered /recommendations in full: the abort never reached it',
  );
  pass(
    `Each fetch still loading got an AbortError whose cause is the failure, and the server stopped /recommendations after ${ms(slow.after)} of its ${ms(SLOWEST)}.`,
  );
}

async function isolateTheFlakyPage(server: LocalServer): Promise<void> {
  heading('3. The failing page inside isolate(): a fallback stands in, the rest complete');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const fallback = 'no flaky data today';
  const contained: unknown[] = [];
  const pagesByName = await gather({
    user: load('/user'),
    orders: load('/orders'),
    recommendations: load('/recommendations'),
    flaky: isolate(load('/flaky'), {
      fallback,
      onError: (error) => {
        contained.push(error);
        say(paint.dim(`onError, while gather runs: ${reasonText(error)} → the fallback stands in`));
      },
    }),
  });
  const resolvedAt = timeline.now();
  const requests = await server.settled();

  show('gather({ user, orders, recommendations, flaky: isolate(flaky, …) })', timeline, {
    scale: SLOWEST,
    marker: { at: resolvedAt, label: 'gather resolved' },
  });
  say(`→ ${inspect(pagesByName, { breakLength: Number.POSITIVE_INFINITY, colors: colour })}`);
  showServer(requests);

  check(
    pagesByName.flaky === fallback,
    `isolate should resolve with the fallback, not ${inspect(pagesByName.flaky)}`,
  );
  check(
    contained.length === 1 && contained[0] instanceof HttpError,
    'onError should see the /flaky failure once',
  );
  check(
    requests.every((request) => request.outcome === 'answered'),
    'a sibling of the isolated page was aborted',
  );
  check(pagesByName.recommendations === pages['/recommendations'].body, 'gather lost a page');
  pass('The failure was contained: no sibling was aborted, every other page arrived.');
}

async function partialResultsByTheDeadline(server: LocalServer): Promise<void> {
  heading(`4. gatherSettled() with a ${DEADLINE} ms deadline: partial results`);
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const paths = ['/user', '/orders', '/recommendations', '/flaky'] as const;
  const slots = await gatherSettled(new Map(paths.map((path) => [path, load(path)])), {
    timeout: DEADLINE,
  });
  const resolvedAt = timeline.now();
  await timeline.settled();
  const requests = await server.settled();

  show(`gatherSettled(new Map([…]), { timeout: ${DEADLINE} })`, timeline, {
    scale: SLOWEST,
    marker: { at: resolvedAt, label: 'gatherSettled resolved' },
  });
  for (const [path, slot] of slots) {
    const outcome =
      slot.status === 'fulfilled'
        ? paint.ok(`fulfilled: ${inspect(slot.value)}`)
        : paint.failed(`rejected: ${reasonText(slot.reason)}`);
    say(`→ ${path.padEnd(16)} ${outcome}`);
  }
  showServer(requests);

  for (const path of ['/user', '/orders'] as const) {
    const slot = slots.get(path);
    check(
      slot?.status === 'fulfilled' && slot.value === pages[path].body,
      `${path} should have arrived before the deadline`,
    );
  }
  const flaky = slots.get('/flaky');
  check(
    flaky?.status === 'rejected' && flaky.reason instanceof HttpError,
    '/flaky should read rejected with its own failure',
  );
  const slow = slots.get('/recommendations');
  check(
    slow?.status === 'rejected' &&
      slow.reason instanceof Error &&
      slow.reason.name === 'TimeoutError',
    '/recommendations should read rejected with a TimeoutError',
  );
  check(
    requestOf(requests, '/recommendations').outcome === 'aborted',
    'the server answered /recommendations in full: the deadline never reached it',
  );
  pass('The pages that made the deadline are in; the slow one was cut off at the server.');
}

async function hedgedRequests(server: LocalServer): Promise<void> {
  heading('5. Hedged requests: first() takes the faster mirror and aborts the other');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const file = await first([load('/mirror-us'), load('/mirror-eu')]);
  const resolvedAt = timeline.now();
  const spans = await timeline.settled();
  const requests = await server.settled();

  show('first([mirrorUs, mirrorEu])', timeline, {
    scale: pages['/mirror-us'].delay,
    marker: { at: resolvedAt, label: 'first resolved' },
  });
  say(`→ ${inspect(file)}`);
  showServer(requests);

  check(
    file === pages['/mirror-eu'].body,
    `first should resolve with the EU mirror, not ${inspect(file)}`,
  );
  const loser = spans.find((span) => span.label === '/mirror-us');
  check(
    loser?.outcome === 'aborted' && isAbortError(loser.reason),
    `the US mirror's fetch should end with an AbortError, not ${loser?.outcome ?? 'untracked'}`,
  );
  const slow = requestOf(requests, '/mirror-us');
  check(
    slow.outcome === 'aborted',
    'the server answered /mirror-us in full: the abort never reached it',
  );
  pass(
    `The EU mirror won at ${ms(resolvedAt)}; the US mirror's request was aborted at the server after ${ms(slow.after)} of its ${ms(pages['/mirror-us'].delay)}.`,
  );
}

async function crawlTheSite(server: LocalServer): Promise<void> {
  heading(`6. A crawler: a TaskGroup spawns a task per new link, ${CRAWL_CONCURRENCY} at a time`);
  const timeline = new Timeline();
  const crawl = await crawlSite(server, timeline);
  const joinedAt = timeline.now();
  console.log();
  const spans = await timeline.settled();
  const requests = await server.settled();

  show(`new TaskGroup({ concurrency: ${CRAWL_CONCURRENCY} }): a task per page`, timeline, {
    scale: joinedAt,
    marker: { at: joinedAt, label: 'the group joined' },
  });
  const skipped = crawl.linksFound - (crawl.pagesFound - 1);
  say(
    `→ ${crawl.pagesFound} pages from ${crawl.linksFound} links: the ${skipped} links to a page already seen were skipped`,
  );
  const mostAtServer = Math.max(...requests.map((request) => request.inFlight));
  say(paint.dim(`server: ${requests.length} requests, at most ${mostAtServer} in flight at once`));

  const sitePages = Object.keys(site);
  const fetched = requests.map((request) => request.path);
  check(
    fetched.length === sitePages.length && sitePages.every((path) => fetched.includes(path)),
    `the server should see each of the ${sitePages.length} pages once, not ${fetched.sort().join(', ')}`,
  );
  check(
    requests.every((request) => request.outcome === 'answered'),
    'a page of the crawl was aborted',
  );
  check(
    mostAtServer === CRAWL_CONCURRENCY,
    `the server saw at most ${mostAtServer} requests at once: the bound of ${CRAWL_CONCURRENCY} was ${mostAtServer > CRAWL_CONCURRENCY ? 'exceeded' : 'never reached'}`,
  );
  const mostAtOnce = mostOverlapping(spans);
  check(
    mostAtOnce <= CRAWL_CONCURRENCY,
    `${mostAtOnce} page tasks ran at once, above the bound of ${CRAWL_CONCURRENCY}`,
  );
  check(
    crawl.reports.length === crawl.sections.length,
    `asCompleted reported ${crawl.reports.length} of the ${crawl.sections.length} sections`,
  );
  let previous = 0;
  for (const { section, pages, at } of crawl.reports) {
    const inSection = sitePages.filter(
      (path) => path === section || path.startsWith(`${section}/`),
    );
    check(
      pages.length === inSection.length && inSection.every((path) => pages.includes(path)),
      `${section} should report its own ${inSection.length} pages, not ${pages.join(', ')}`,
    );
    const completed = Math.max(
      ...spans
        .filter((span) => pages.includes(span.label))
        .map((span) => span.end ?? Number.POSITIVE_INFINITY),
    );
    check(
      completed <= at,
      `${section} was reported at ${ms(at)}, before its last page arrived at ${ms(completed)}`,
    );
    check(completed >= previous, `${section} was reported after a section that completed later`);
    previous = completed;
  }
  const last = crawl.reports.at(-1)?.section;
  check(
    last === SLOW_SECTION,
    `${SLOW_SECTION}, slowed by its guide, should complete last, not ${last}`,
  );
  pass(
    `${sitePages.length} pages, each fetched once, never more than ${CRAWL_CONCURRENCY} at once — at the server too; each section was reported as it completed, the slow ${SLOW_SECTION} last though listed first.`,
  );
}

async function streamTheEvents(server: LocalServer): Promise<void> {
  heading(
    `8. A stream: mapIterable() over a long NDJSON response, ${STREAM_CONCURRENCY} lookups at a time, then break`,
  );
  const t0 = performance.now();
  const at = () => ms(performance.now() - t0).padStart(6);
  const response = await fetch(server.url('/events.ndjson'));
  check(response.ok && response.body !== null, `/events.ndjson answered HTTP ${response.status}`);
  const events = ndjson(response.body as ReadableStream<Uint8Array>) as AsyncGenerator<{
    id: number;
  }>;
  /** The events, with every item mapIterable asks for counted, and its close seen. */
  let asked = 0;
  let closed = false;
  const source: AsyncIterable<{ id: number }> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        asked++;
        return events.next();
      },
      return: () => {
        closed = true;
        return events.return(undefined);
      },
    }),
  };
  let running = 0;
  let mostRunning = 0;
  let mostAhead = 0;
  let taken = 0;
  const order: number[] = [];
  say(
    paint.dim(
      `for await (const found of mapIterable(source, lookup, { concurrency: ${STREAM_CONCURRENCY}, order: 'completion' }))`,
    ),
  );
  for await (const found of mapIterable(
    source,
    async (event, signal) => {
      mostRunning = Math.max(mostRunning, ++running);
      try {
        return (await fetchJson(server.url(`/lookup/${event.id}`), signal)) as { id: number };
      } finally {
        running--;
      }
    },
    { concurrency: STREAM_CONCURRENCY, order: 'completion' },
  )) {
    taken++;
    order.push(found.id);
    mostAhead = Math.max(mostAhead, asked - taken);
    if (taken % 12 === 0) {
      const latest = order.slice(-12).join(' ');
      say(
        `${at()}  ${String(taken).padStart(2)} results, the last 12 in completion order: ${latest}`,
      );
    }
    if (taken === LEAVE_AFTER) break; // aborts the running lookups, closes the source
  }
  const leftAt = performance.now();
  const askedAtLeaving = asked;
  say(
    paint.dim(
      `${at()}  break: ${askedAtLeaving} events asked for, ${taken} results taken; the source ${closed ? 'closed' : 'still open'}`,
    ),
  );
  const requests = await server.settled();
  await new Promise((resolve) => setTimeout(resolve, 50)); // time for a stray pull to show
  const stream = requests.find((request) => request.path === '/events.ndjson');
  const lookups = requests.filter((request) => request.path.startsWith('/lookup/'));
  const cut = lookups.filter((request) => request.outcome === 'aborted').length;
  say(
    paint.dim(
      `server: /events.ndjson ${stream?.outcome === 'aborted' ? paint.aborted('cancelled by the client') : 'answered'} after ${stream?.linesSent ?? 0} of ${EVENTS.count} lines (${ms(stream?.after ?? 0)})`,
    ),
  );
  say(
    paint.dim(
      `server: ${lookups.length} lookups, ${cut} ${paint.aborted('aborted by the client')} at the break, none after it`,
    ),
  );

  check(
    stream?.outcome === 'aborted' && (stream.linesSent ?? 0) < EVENTS.count,
    `the server should see the NDJSON body cancelled before its end, not ${stream?.outcome} after ${stream?.linesSent} lines`,
  );
  check(closed, 'leaving the loop did not close the source');
  check(
    asked === askedAtLeaving,
    `${asked - askedAtLeaving} events were asked for after the break`,
  );
  check(
    lookups.length <= askedAtLeaving && lookups.every((lookup) => lookup.arrived <= leftAt),
    `the server should see at most one lookup per event asked for (${askedAtLeaving}), all before the break, not ${lookups.length}`,
  );
  check(
    mostRunning <= STREAM_CONCURRENCY,
    `${mostRunning} lookups ran at once, above ${STREAM_CONCURRENCY}`,
  );
  check(
    mostAhead <= STREAM_CONCURRENCY,
    `${mostAhead} events were asked for ahead of the loop, above the buffer of ${STREAM_CONCURRENCY}`,
  );
  check(
    order.some((id, index) => index > 0 && id < (order[index - 1] ?? 0)),
    'the results should arrive in completion order, not all in input order',
  );
  pass(
    `${taken} results in completion order, never more than ${STREAM_CONCURRENCY} lookups at once nor ${STREAM_CONCURRENCY} events ahead of the loop; after the break no event was asked for, and the server stopped the stream at line ${stream.linesSent} of ${EVENTS.count}.`,
  );
}

/** Step 8's NDJSON stream of events. */
function streamRoutes(): Record<string, Route> {
  return {
    '/events.ndjson': {
      delay: 0,
      lines: { ...EVENTS, line: (id) => ({ id, kind: id % 5 === 0 ? 'order' : 'view' }) },
    },
  };
}

/** Step 8's lookups: `/lookup/<id>` answers `{ id }` after `lookupDelay(id)`. */
function lookupRoute(path: string): Route | undefined {
  const id = /^\/lookup\/(\d+)$/.exec(path)?.[1];
  return id === undefined
    ? undefined
    : { delay: lookupDelay(Number(id)), body: JSON.stringify({ id: Number(id) }) };
}

/** What step 6's crawl found, and what asCompleted reported when. */
interface CrawlReport {
  /** The sections the home page links to, in its order. */
  readonly sections: readonly string[];
  /** Per section, in the order asCompleted delivered them: its pages, and when it arrived. */
  readonly reports: readonly { section: string; pages: readonly string[]; at: number }[];
  readonly linksFound: number;
  /** Distinct pages, the home page included. */
  readonly pagesFound: number;
}

/**
 * Crawls the site from the home page in one TaskGroup, printing each section as it
 * completes. Each page is a task of the group, which spawns a task for every new
 * link it finds from inside itself; `asCompleted` takes the sections' crawls.
 */
async function retryAndTimeout(server: LocalServer): Promise<void> {
  heading('7. retry() and withTimeout(): a flaky mirror tried again, a stuck page cut off alone');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const retried: number[] = [];
  const fallback = 'no report today';
  const result = await gather({
    user: load('/user'),
    // Each attempt is a fresh call, drawn as its own row; the default backoff waits
    // 125–250 ms after the first failure, 250–500 ms after the second.
    file: retry(
      (signal) =>
        timeline.track(FLAKY_MIRROR, (s) => fetchPage(server.origin, FLAKY_MIRROR, s))(signal),
      {
        onRetry: (error, attempt) => {
          retried.push(attempt);
          say(paint.dim(`onRetry: attempt ${attempt} failed (${reasonText(error)}) → backoff`));
        },
      },
    ),
    // The stuck page gets its own deadline, and isolate keeps it from failing the rest.
    report: isolate(withTimeout(load(STUCK_PAGE), STUCK_TIMEOUT), { fallback }),
    orders: load('/orders'),
  });
  const resolvedAt = timeline.now();
  const spans = await timeline.settled();
  const requests = await server.settled();

  show(
    `gather({ user, file: retry(flakyMirror), report: isolate(withTimeout(stuck, ${STUCK_TIMEOUT}), …), orders })`,
    timeline,
    { scale: resolvedAt, marker: { at: resolvedAt, label: 'gather resolved' } },
  );
  say(`→ ${inspect(result, { breakLength: Number.POSITIVE_INFINITY, colors: colour })}`);
  showServer(requests);

  check(
    result.file === FLAKY_ANSWER,
    `retry should resolve with the mirror's answer, not ${inspect(result.file)}`,
  );
  check(
    retried.length === 2 && retried[0] === 1 && retried[1] === 2,
    `the mirror should be retried after attempts 1 and 2, not after ${inspect(retried)}`,
  );
  const mirrorRequests = requests.filter((request) => request.path === FLAKY_MIRROR);
  check(
    mirrorRequests.length === 3 && mirrorRequests.every((r) => r.outcome === 'answered'),
    `the server should answer the mirror 3 times, not ${mirrorRequests.length}`,
  );
  const stuck = spans.find((span) => span.label === STUCK_PAGE);
  check(
    stuck?.outcome === 'aborted' &&
      stuck.reason instanceof Error &&
      stuck.reason.name === 'TimeoutError',
    `the stuck page should end aborted by its TimeoutError, not ${stuck?.outcome ?? 'untracked'}`,
  );
  check(result.report === fallback, `isolate should stand in with the fallback`);
  const stuckRequest = requestOf(requests, STUCK_PAGE);
  check(
    stuckRequest.outcome === 'aborted' && stuckRequest.after < pages[STUCK_PAGE].delay,
    'the server answered the stuck page in full: its timeout never reached it',
  );
  check(
    result.user === pages['/user'].body && result.orders === pages['/orders'].body,
    '/user and /orders should arrive: a per-task timeout must not stop the others',
  );
  check(
    requestOf(requests, '/user').outcome === 'answered' &&
      requestOf(requests, '/orders').outcome === 'answered',
    'a sibling of the stuck page was aborted',
  );
  pass(
    `The mirror answered on its 3rd attempt; the stuck page was cut off at ${ms(stuckRequest.after)} — at the server too — while the others went on.`,
  );
}

async function crawlSite(server: LocalServer, timeline: Timeline): Promise<CrawlReport> {
  const seen = new Set([HOME]);
  let linksFound = 0;
  /** The links of a page not seen before, marked seen now: no page is crawled twice. */
  const newLinks = (links: readonly string[]) => {
    linksFound += links.length;
    const fresh = [...new Set(links)].filter((link) => !seen.has(link));
    for (const link of fresh) seen.add(link);
    return fresh;
  };
  const reports: { section: string; pages: readonly string[]; at: number }[] = [];

  // Joined as the function returns: nothing of the crawl is running after that.
  await using group = new TaskGroup({ concurrency: CRAWL_CONCURRENCY });
  /**
   * Fetches `path` in the group and, from inside that task, crawls each new link it
   * finds. Resolves with `path` and the pages found below it once they have all
   * arrived. The task does not wait for its links: they need the places it holds.
   */
  const crawl = (path: string): Promise<string[]> =>
    group
      .spawn(
        timeline.track(path, async (signal) =>
          newLinks(await linksOf(server, path, signal)).map(crawl),
        ),
      )
      .then(async (below) => [path, ...(await Promise.all(below)).flat()]);

  const sections = newLinks(
    await group.spawn(timeline.track(HOME, (signal) => linksOf(server, HOME, signal))),
  );
  say(paint.dim(`${HOME} links to ${sections.join(', ')}; asCompleted reports each crawl:`));
  const crawls = new Map(sections.map((section) => [section, crawl(section)]));
  for await (const entry of asCompleted(crawls)) {
    if (entry.status === 'rejected') throw entry.reason;
    const at = timeline.now();
    reports.push({ section: entry.key, pages: entry.value, at });
    const count = `${entry.value.length} pages`;
    say(`${ms(at).padStart(6)}  ${entry.key} done, ${count}: ${entry.value.join(' ')}`);
  }
  return { sections, reports, linksFound, pagesFound: seen.size };
}

/** Fetches `path` with `signal` and reads the links of its HTML. */
async function linksOf(server: LocalServer, path: string, signal: AbortSignal): Promise<string[]> {
  const html = await fetchPage(server.origin, path, signal);
  return Array.from(html.matchAll(/href="([^"]+)"/g), ([, link]) => String(link));
}

/** Step 6's site as the server's routes: each page an HTML body of its links. */
function siteRoutes() {
  return Object.fromEntries(
    Object.entries(site).map(([path, { delay, links }]) => [
      path,
      {
        delay,
        status: 200,
        body: links.map((link) => `<a href="${link}">${link}</a>`).join('\n'),
      },
    ]),
  );
}

/** The most spans that ran at the same moment (one ending as another starts: not at once). */
function mostOverlapping(spans: readonly Span[]): number {
  const moments = spans.flatMap(({ start, end }) =>
    start === undefined
      ? []
      : [
          { at: start, change: 1 },
          { at: end ?? Number.POSITIVE_INFINITY, change: -1 },
        ],
  );
  moments.sort((a, b) => a.at - b.at || a.change - b.change);
  let running = 0;
  let most = 0;
  for (const { change } of moments) {
    running += change;
    most = Math.max(most, running);
  }
  return most;
}

/** Task functions that fetch a page of `server`, tracked on `timeline`. */
function pageLoader(server: LocalServer, timeline: Timeline) {
  return (path: Path) => timeline.track(path, (signal) => fetchPage(server.origin, path, signal));
}

/** The reason `promise` rejects with; the demo is broken if it fulfils instead. */
async function rejectionOf(promise: Promise<unknown>, what: string): Promise<unknown> {
  try {
    await promise;
  } catch (reason) {
    return reason;
  }
  throw new BrokenDemo(`${what} resolved, but it should have rejected`);
}

function isAbortError(reason: unknown): reason is Error {
  return reason instanceof Error && reason.name === 'AbortError';
}

function requestOf(requests: readonly Served[], path: Path): Served {
  const request = requests.find((candidate) => candidate.path === path);
  check(request !== undefined, `the server never received ${path}`);
  return request;
}

function heading(text: string): void {
  console.log(`\n${paint.bold(text)}\n`);
}

function show(
  title: string,
  timeline: Timeline,
  options: { scale?: number; marker: Marker },
): void {
  say(paint.dim(title));
  say(timeline.draw({ colour, ...options }));
}

function showServer(requests: readonly Served[]): void {
  for (const { path, outcome, after } of requests) {
    const what = outcome === 'answered' ? 'answered' : paint.aborted('aborted by the client');
    say(paint.dim(`server: ${path.padEnd(16)} ${what} after ${ms(after)}`));
  }
}

function say(text: string): void {
  console.log(text.replace(/^/gm, '   '));
}

function pass(text: string): void {
  say(paint.ok(`✓ ${text}`));
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

// A step that hangs is broken too: far above the demo's few seconds, give up loudly.
const TIME_LIMIT = 30_000;
setTimeout(() => {
  console.error(`\n✗ The demo is broken: still running after ${TIME_LIMIT / 1000} s`);
  process.exit(1);
}, TIME_LIMIT).unref();

try {
  await main();
} catch (error) {
  console.error(error instanceof BrokenDemo ? `\n✗ The demo is broken: ${error.message}` : error);
  process.exitCode = 1;
}
