/**
 * `npm run demo`: p-gather against a real HTTP server on 127.0.0.1, with the global
 * `fetch` and each task's signal.
 *
 * 1. Three pages one by one, then at once with `gather`: the time saved.
 * 2. A failing page: `gather` rejects, and the pages still loading are aborted —
 *    at the server too.
 * 3. The failing page `isolate`d: its fallback stands in, the rest complete.
 * 4. `gatherSettled` with a deadline: partial results.
 * 5. Hedged requests with `first`: the faster mirror wins, the slower one's fetch
 *    is aborted — at the server too.
 *
 * Each step draws its timeline and checks what it claims. A step that does not
 * behave exits non-zero, so CI notices a broken demo.
 */
import { inspect } from 'node:util';
import { first, gather, gatherSettled, isolate } from '../src/index';
import { fetchPage, HttpError } from './demo/fetch-page';
import { type DemoServer, type RequestRecord, startServer } from './demo/server';
import { legend, type Marker, palette, reasonText, Timeline } from './demo/timeline';

/** The backend. Delays lie far apart, so a busy machine cannot change the story. */
const pages = {
  '/ping': { delay: 0, status: 200, body: 'pong' },
  '/user': { delay: 80, status: 200, body: 'Ada Lovelace' },
  '/flaky': { delay: 150, status: 500, body: 'database on fire' },
  '/orders': { delay: 250, status: 200, body: '3 orders' },
  '/recommendations': { delay: 600, status: 200, body: '5 books' },
  '/mirror-eu': { delay: 120, status: 200, body: 'file from the EU mirror' },
  '/mirror-us': { delay: 600, status: 200, body: 'file from the US mirror' },
} as const;
type Path = keyof typeof pages;

/** Steps 2–4 draw on the scale of the slowest page, so what was cut short shows. */
const SLOWEST = pages['/recommendations'].delay;

/** Step 4's deadline: after /orders (250 ms), well before /recommendations (600 ms). */
const DEADLINE = 400;

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
  const server = await startServer(pages);
  try {
    // Node loads its fetch on first use: warm it up, so that step 1 times the pages.
    await fetchPage(server.origin, '/ping', new AbortController().signal);
    await server.requests();
    console.log(`p-gather demo — a local server at ${server.origin}\n${legend(colour)}`);
    await oneByOneThenAtOnce(server);
    await failFast(server);
    await isolateTheFlakyPage(server);
    await partialResultsByTheDeadline(server);
    await hedgedRequests(server);
    console.log(`\n${paint.ok('✓ Every step behaved as described.')}`);
  } finally {
    await server.close();
  }
}

async function oneByOneThenAtOnce(server: DemoServer): Promise<void> {
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
  await server.requests();

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

async function failFast(server: DemoServer): Promise<void> {
  heading('2. One page fails: gather() rejects and aborts the pages still loading');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const failure = await rejectionOf(
    gather([load('/user'), load('/orders'), load('/recommendations'), load('/flaky')]),
    'gather with a failing page',
  );
  const rejectedAt = timeline.now();
  const spans = await timeline.settled();
  const requests = await server.requests();

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

async function isolateTheFlakyPage(server: DemoServer): Promise<void> {
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
  const requests = await server.requests();

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
    requests.every((request) => request.outcome === 'served'),
    'a sibling of the isolated page was aborted',
  );
  check(pagesByName.recommendations === pages['/recommendations'].body, 'gather lost a page');
  pass('The failure was contained: no sibling was aborted, every other page arrived.');
}

async function partialResultsByTheDeadline(server: DemoServer): Promise<void> {
  heading(`4. gatherSettled() with a ${DEADLINE} ms deadline: partial results`);
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const paths = ['/user', '/orders', '/recommendations', '/flaky'] as const;
  const slots = await gatherSettled(new Map(paths.map((path) => [path, load(path)])), {
    timeout: DEADLINE,
  });
  const resolvedAt = timeline.now();
  await timeline.settled();
  const requests = await server.requests();

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

/** Task functions that fetch a page of `server`, tracked on `timeline`. */
async function hedgedRequests(server: DemoServer): Promise<void> {
  heading('5. Hedged requests: first() takes the faster mirror and aborts the other');
  const timeline = new Timeline();
  const load = pageLoader(server, timeline);
  const file = await first([load('/mirror-us'), load('/mirror-eu')]);
  const resolvedAt = timeline.now();
  const spans = await timeline.settled();
  const requests = await server.requests();

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

function pageLoader(server: DemoServer, timeline: Timeline) {
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

function requestOf(requests: readonly RequestRecord[], path: Path): RequestRecord {
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

function showServer(requests: readonly RequestRecord[]): void {
  for (const { path, outcome, after } of requests) {
    const what = outcome === 'served' ? 'answered' : paint.aborted('aborted by the client');
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

try {
  await main();
} catch (error) {
  console.error(error instanceof BrokenDemo ? `\n✗ The demo is broken: ${error.message}` : error);
  process.exitCode = 1;
}
