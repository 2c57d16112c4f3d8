/**
 * A support tool shows the first 10 open tickets of an export, each with its
 * customer's name. The export is an NDJSON stream of 5,000 tickets that takes
 * seconds to send in full; each customer is one request to another service.
 *
 * `mapIterable` reads the tickets as the bytes arrive, looks up 4 customers at a
 * time while it reads on, and delivers the results in input order. The loop leaves
 * once it has 10: the lookups still running are aborted, the source is closed —
 * which cancels the response body, so the server stops sending — and nothing more
 * is asked of it. Memory stays bounded by the concurrency, not by the export.
 *
 * Run: `npm run examples` (every example, against the build). This one alone:
 * `npm run build && npx tsx --tsconfig examples/tsconfig.run.json examples/stream-ndjson.ts`
 */

import { mapIterable } from 'p-gather';
import { fetchJson, HttpError } from './support/http';
import { ndjson } from './support/ndjson';
import { type Route, startServer } from './support/server';

const CONCURRENCY = 4;
const WANTED = 10;
const TICKETS = 5_000;

interface Ticket {
  readonly id: number;
  readonly customer: number;
  readonly status: 'open' | 'closed';
}

/** Every third ticket is closed; customers repeat every 7 tickets. */
const ticket = (index: number): Ticket => ({
  id: 1_000 + index,
  customer: index % 7,
  status: index % 3 === 2 ? 'closed' : 'open',
});
const customers = ['Ada', 'Grace', 'Edsger', 'Barbara', 'Alan', 'Margaret', 'Donald'];

/** The export: 50 lines every 10 ms (a second for all 5,000). Customers: 20–60 ms each. */
const server = await startServer((path): Route | undefined => {
  if (path === '/tickets.ndjson') {
    return { delay: 0, lines: { count: TICKETS, perTick: 50, every: 10, line: ticket } };
  }
  const id = /^\/customers\/(\d+)$/.exec(path)?.[1];
  if (id === undefined) return undefined;
  return { delay: 20 + (Number(id) % 3) * 20, body: { name: customers[Number(id)] } };
});

try {
  const response = await fetch(server.url('/tickets.ndjson'));
  if (!response.ok || response.body === null) {
    throw new HttpError(response.status, '/tickets.ndjson', await response.text());
  }
  const tickets = ndjson(response.body) as AsyncGenerator<Ticket>;

  let running = 0;
  let mostRunning = 0;
  let lookupsAfterLeaving = 0;
  let left = false;
  const shown: string[] = [];

  console.log(
    `The first ${WANTED} open tickets of a ${TICKETS}-ticket export, ${CONCURRENCY} customer lookups at a time:`,
  );
  const rows = mapIterable(
    tickets,
    async (item, signal, index) => {
      if (left) lookupsAfterLeaving++;
      if (item.status !== 'open') return undefined; // skipped: filtered out below
      mostRunning = Math.max(mostRunning, ++running);
      try {
        const customer = (await fetchJson(server.url(`/customers/${item.customer}`), signal)) as {
          name: string;
        };
        return `#${item.id} (line ${index + 1}) for ${customer.name}`;
      } finally {
        running--;
      }
    },
    { concurrency: CONCURRENCY },
  );
  for await (const row of rows) {
    if (row === undefined) continue;
    shown.push(row);
    console.log(`  ${row}`);
    if (shown.length === WANTED) break; // aborts the running lookups, closes the export
  }
  left = true;

  const requests = await server.settled();
  const stream = requests.find((request) => request.path === '/tickets.ndjson');
  const lookups = requests.filter((request) => request.path.startsWith('/customers/'));
  const sent = stream?.linesSent ?? 0;
  console.log(
    `\n${mostRunning <= CONCURRENCY ? 'never more than' : 'MORE than'} ${CONCURRENCY} lookups at once (the concurrency)`,
  );
  console.log(
    `server: the export was ${stream?.outcome === 'aborted' ? 'cancelled by the client' : 'sent in full'}, ${sent < TICKETS / 2 ? 'less than half' : 'more than half'} of its ${TICKETS} lines sent`,
  );
  console.log(
    `server: ${lookups.length > 0 && lookupsAfterLeaving === 0 ? 'no lookup started after the loop was left' : `${lookupsAfterLeaving} lookups after the loop was left`}`,
  );
  if (stream?.outcome !== 'aborted' || mostRunning > CONCURRENCY || lookupsAfterLeaving > 0) {
    process.exitCode = 1;
  }
} finally {
  await server.close();
}
