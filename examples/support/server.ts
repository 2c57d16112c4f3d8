import { createServer, type ServerResponse } from 'node:http';

/** What the server answers on one path, and how long it takes to. */
export interface Reply {
  /** Milliseconds before the answer: a slow backend. */
  readonly delay: number;
  /** HTTP status (default 200). */
  readonly status?: number;
  /** The body: sent as JSON, or as it is when the server sends text. */
  readonly body: unknown;
}

/**
 * An NDJSON body written a few lines at a time, as a log tail or an export does:
 * `count` lines in all, `perTick` of them every `every` milliseconds, each line
 * `line(index)` as JSON. The server stops writing the moment its client leaves.
 */
export interface LinesReply {
  /** Milliseconds before the headers are sent. */
  readonly delay: number;
  readonly lines: {
    readonly count: number;
    readonly perTick: number;
    readonly every: number;
    line(index: number): unknown;
  };
}

/** One answer: a body, or NDJSON lines over time. */
type Answer = Reply | LinesReply;

/** What a path answers: one answer, or a list of replies served in turn. */
export type Route = Answer | readonly Reply[];

/** The server's routes: a table, or a function of the path (`undefined`: 404). */
export type Routes = Readonly<Record<string, Route>> | ((path: string) => Route | undefined);

function isReplyList(route: Route | undefined): route is readonly Reply[] {
  return Array.isArray(route);
}

/** How the server sends bodies. */
export interface ServerOptions {
  /** `'json'` (the default): each body as JSON. `'text'`: each body as it is, as plain text. */
  readonly bodies?: 'json' | 'text';
}

/** How one request ended, as the server saw it. */
export interface Served {
  /** The path with its query, as requested. */
  readonly path: string;
  /** `answered`, or `aborted`: the client went away before the answer was sent. */
  readonly outcome: 'answered' | 'aborted';
  /** Milliseconds from the request's arrival to its end. */
  readonly after: number;
  /** When the request arrived, on the process's `performance.now()` clock. */
  readonly arrived: number;
  /** For an NDJSON route: how many of its lines were written before it ended. */
  readonly linesSent?: number;
  /**
   * How many requests the server was working on when this one arrived, itself
   * included. A request stops counting once its answer is written or its client
   * leaves, so this never overstates how many a client had in flight.
   */
  readonly inFlight: number;
}

/** A running local server and its record of the requests it received. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`: the only address the examples fetch. */
  readonly origin: string;
  /** The URL of `path` on this server. */
  url(path: string): string;
  /**
   * Waits until every request received since the last call has ended, then says how
   * each ended, in the order they ended, and starts a fresh record — the server's
   * side of the story, so an example can show that an abort reached the wire.
   */
  settled(): Promise<Served[]>;
  /** Stops the server and drops its keep-alive connections, so the process can exit. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 and a random port that answers each known
 * path after its delay (404 for any other), like a backend of a given speed; a path
 * given a list of replies answers with the next one each time it is asked, the
 * last one from then on (a flaky backend) — and,
 * like a careful backend, stops working on a request the moment its client leaves.
 * Each example (and the demo) starts its own, so an example runs alone with `tsx`
 * and needs nothing from the runner. It returns once `fetch` is warmed up, with an
 * empty record.
 */
export async function startServer(
  routes: Routes,
  options: ServerOptions = {},
): Promise<LocalServer> {
  const encode =
    options.bodies === 'text'
      ? { type: 'text/plain', body: (body: unknown) => String(body) }
      : { type: 'application/json', body: (body: unknown) => JSON.stringify(body) };
  let running: Promise<void>[] = [];
  let ended: Served[] = [];
  let inFlight = 0;
  /** How many times each path was asked for: a list of replies is served in turn. */
  const asked = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const route = typeof routes === 'function' ? routes(path) : routes[path];
    const times = asked.get(path) ?? 0;
    asked.set(path, times + 1);
    const reply = (isReplyList(route) ? route[Math.min(times, route.length - 1)] : route) ?? {
      delay: 0,
      status: 404,
      body: `no route ${path}`,
    };
    const work = { inFlight: ++inFlight, release: () => void inFlight-- };
    running.push(
      serve(path, reply, response, encode, work).then((record) => void ended.push(record)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`expected a TCP address, got ${String(address)}`);
  }
  const origin = `http://127.0.0.1:${address.port}`;
  const settled = async () => {
    const waiting = running;
    running = [];
    await Promise.all(waiting);
    const records = ended;
    ended = [];
    return records;
  };
  // Node loads its fetch on first use, which takes tens of milliseconds: pay for it
  // here, not inside an example's first deadline.
  await (await fetch(`${origin}/warm-up`)).arrayBuffer();
  await settled();
  return {
    origin,
    url: (path) => new URL(path, origin).href,
    settled,
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function serve(
  path: string,
  reply: Answer,
  response: ServerResponse,
  encode: { readonly type: string; body(body: unknown): string },
  work: { readonly inFlight: number; release(): void },
): Promise<Served> {
  const arrived = performance.now();
  let working = true;
  /** The request stops counting as in flight: answered, or its client left. */
  const stopWorking = () => {
    if (working) work.release();
    working = false;
  };
  let linesSent: number | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const timer = setTimeout(() => {
    if (!('lines' in reply)) {
      stopWorking();
      response
        .writeHead(reply.status ?? 200, { 'content-type': encode.type })
        .end(encode.body(reply.body));
      return;
    }
    const { count, perTick, every, line } = reply.lines;
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    linesSent = 0;
    const sent = () => linesSent ?? 0;
    ticker = setInterval(() => {
      const upTo = Math.min(count, sent() + perTick);
      let chunk = '';
      for (let index = sent(); index < upTo; index++) chunk += `${JSON.stringify(line(index))}\n`;
      linesSent = upTo;
      response.write(chunk);
      if (upTo < count) return;
      clearInterval(ticker);
      stopWorking();
      response.end();
    }, every);
  }, reply.delay);
  return new Promise((resolve) => {
    // 'close' comes once the answer is sent, or when the client closes the socket
    // first (its fetch was aborted, or its body cancelled): then the work is dropped.
    response.once('close', () => {
      clearTimeout(timer);
      clearInterval(ticker);
      stopWorking();
      resolve({
        path,
        outcome: response.writableFinished ? 'answered' : 'aborted',
        after: performance.now() - arrived,
        arrived,
        ...(linesSent === undefined ? {} : { linesSent }),
        inFlight: work.inFlight,
      });
    });
  });
}
