/**
 * Migrating a `Promise.all` + `p-limit` snippet to p-gather: loading a list of users
 * from an API that takes 2 requests at a time.
 *
 * The change: each piece of work becomes a task function that takes a signal and
 * hands it to `fetch`, and the same `p-limit` instance is passed as `limit` (for a
 * limit that only this call uses, `{ concurrency: 2 }` does the same without
 * p-limit). Both versions run below, against the same server. Without a failure they
 * give the same array. When /users/3 fails, both reject with the same error — but
 * the before goes on fetching the rest for nobody, while the after aborts the
 * request in flight and never sends the queued ones.
 *
 * Run: `npm run examples` (every example, against the build). This one alone:
 * `npm run build && npx tsx --tsconfig examples/tsconfig.run.json examples/migrate-from-promise-all-and-p-limit.ts`
 * (plain `npx tsx` maps `'p-gather'` to `src/` through tsconfig.json's `paths`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { gather } from 'p-gather';
import pLimit, { type LimitFunction } from 'p-limit';
import { describeReason, fetchJson, HttpError } from './support/http';
import { type Reply, startServer } from './support/server';

const NAMES = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances'];
const IDS = NAMES.map((_, index) => index + 1);

/**
 * Each user takes 150 ms; /users/3 fails after 60 ms. Two at a time, users 3 and 4
 * start together at ~150 ms; 3 fails at ~210 ms, long after 4 has reached the
 * server and long before it is due (~300 ms), so a busy machine cannot change the
 * story.
 */
const routes: Record<string, Reply> = {
  ...Object.fromEntries(
    IDS.map((id, index) => [`/users/${id}`, { delay: 150, body: NAMES[index] }]),
  ),
  '/users/3': { delay: 60, status: 500, body: 'db down' },
};

const server = await startServer(routes);

/** What became of each request of the current run, seen from the client. */
class Ledger {
  /** Set the moment a request fails. */
  failed = false;
  readonly sent: number[] = [];
  readonly sentAfterFailure: number[] = [];
  readonly answeredAfterFailure: number[] = [];
  readonly aborted: number[] = [];
}
let ledger = new Ledger();

/** Fetches one user's name — with the task's signal, when there is one. */
async function fetchUser(id: number, signal?: AbortSignal): Promise<string> {
  const run = ledger;
  run.sent.push(id);
  if (run.failed) run.sentAfterFailure.push(id);
  try {
    const name = String(await fetchJson(server.url(`/users/${id}`), signal));
    if (run.failed) run.answeredAfterFailure.push(id);
    return name;
  } catch (error) {
    if (error instanceof HttpError) run.failed = true;
    else if (signal?.aborted) run.aborted.push(id);
    throw error;
  }
}

const limit = pLimit(2);

// ── before ──────────────────────────────────────────────────────────────────────
/** The snippet as it was: p-limit bounds the requests, `Promise.all` collects them. */
function loadUsersBefore(ids: readonly number[]): Promise<string[]> {
  return Promise.all(ids.map((id) => limit(() => fetchUser(id))));
}

// ── after ───────────────────────────────────────────────────────────────────────
/** The same with p-gather: a task function per user, its signal handed to fetch. */
function loadUsersAfter(ids: readonly number[]): Promise<string[]> {
  return gather(
    ids.map((id) => (signal) => fetchUser(id, signal)),
    { limit },
  );
}

try {
  console.log('Without a failure (users 1 and 2):');
  console.log(`  before resolves with ${JSON.stringify(await loadUsersBefore([1, 2]))}`);
  console.log(`  after  resolves with ${JSON.stringify(await loadUsersAfter([1, 2]))}`);
  await server.settled();

  console.log(`\nWith /users/3 failing (users 1 to ${IDS.length}, 2 at a time):`);
  const columns: string[][] = [];
  for (const [label, loadUsers] of [
    ['before', loadUsersBefore],
    ['after', loadUsersAfter],
  ] as const) {
    ledger = new Ledger();
    const t0 = performance.now();
    const ms = () => `${Math.round(performance.now() - t0)} ms`;
    const rejection = await loadUsers(IDS).then(
      () => 'resolved?!',
      (reason: unknown) => describeReason(reason),
    );
    const rejectedAfter = ms();
    // Only to count what the run goes on doing: real code has no handle on this.
    await idle(limit);
    const requests = await server.settled();
    const count = (outcome: string) => requests.filter((r) => r.outcome === outcome).length;
    columns.push([
      label,
      rejection,
      rejectedAfter,
      String(ledger.sent.length),
      list(ledger.sentAfterFailure),
      list(ledger.answeredAfterFailure),
      list(ledger.aborted),
      list(IDS.filter((id) => !ledger.sent.includes(id))),
      ms(),
      `${count('answered')} answered, ${count('aborted')} aborted`,
    ]);
  }
  printTable(
    [
      '',
      'rejects with',
      'rejects after',
      'requests sent',
      'sent after the failure',
      'answered after the failure',
      'aborted in flight',
      'queued, never sent',
      'last request over after',
      'the server',
    ],
    columns,
  );
} finally {
  await server.close();
}

/** Waits until `limit` has nothing running or queued. */
async function idle(limit: LimitFunction): Promise<void> {
  while (limit.activeCount > 0 || limit.pendingCount > 0) await sleep(5);
}

/** User ids as paths, or "none". */
function list(ids: readonly number[]): string {
  return ids.length === 0 ? 'none' : ids.map((id) => `/users/${id}`).join(', ');
}

/** Row headings on the left, one column of cells per run. */
function printTable(headings: readonly string[], columns: readonly string[][]): void {
  const widthOf = (cells: readonly string[]) => Math.max(...cells.map((cell) => cell.length)) + 3;
  const width = widthOf(columns.flat());
  headings.forEach((heading, row) => {
    const cells = columns.map((cells) => (cells[row] ?? '').padEnd(width));
    console.log(`  ${heading.padEnd(widthOf(headings))}${cells.join('').trimEnd()}`);
  });
}
