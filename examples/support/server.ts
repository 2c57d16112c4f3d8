import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** What the server answers on one path, and how long it takes to. */
export interface Reply {
  /** Milliseconds before the answer: a slow backend. */
  readonly delay: number;
  /** HTTP status (default 200). */
  readonly status?: number;
  /** The body, sent as JSON. */
  readonly body: unknown;
}

/** How one request ended, as the server saw it. */
export interface Served {
  /** The path with its query, as requested. */
  readonly path: string;
  /** `answered`, or `aborted`: the client went away before the answer was sent. */
  readonly outcome: 'answered' | 'aborted';
}

/** A running local server and its record of the requests it received. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`: the only address the examples fetch. */
  readonly origin: string;
  /** The URL of `path` on this server. */
  url(path: string): string;
  /**
   * Waits until every request received so far has ended, then says how each ended,
   * in the order they arrived, and starts a fresh record — the server's side of the
   * story, so an example can show that an abort reached the wire.
   */
  settled(): Promise<Served[]>;
  /** Stops the server and drops its keep-alive connections, so the process can exit. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 and a random port that answers each known
 * path after its delay (404 for any other), like a backend of a given speed — and,
 * like a careful backend, stops working on a request the moment its client leaves.
 * Each example starts its own, so an example runs alone with `tsx` and needs nothing
 * from the runner. It returns once `fetch` is warmed up, with an empty record.
 */
export async function startServer(routes: Readonly<Record<string, Reply>>): Promise<LocalServer> {
  let running: Promise<Served>[] = [];
  const server = createServer((request, response) => {
    running.push(serve(routes, request, response));
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
  // Node loads its fetch on first use, which takes tens of milliseconds: pay for it
  // here, not inside an example's first deadline.
  await (await fetch(`${origin}/warm-up`)).arrayBuffer();
  await Promise.all(running);
  running = [];
  return {
    origin,
    url: (path) => new URL(path, origin).href,
    async settled() {
      const records = await Promise.all(running);
      running = running.slice(records.length);
      return records;
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function serve(
  routes: Readonly<Record<string, Reply>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Served> {
  const path = request.url ?? '/';
  const reply = routes[path] ?? { delay: 0, status: 404, body: `no route ${path}` };
  const timer = setTimeout(() => {
    response
      .writeHead(reply.status ?? 200, { 'content-type': 'application/json' })
      .end(JSON.stringify(reply.body));
  }, reply.delay);
  return new Promise((resolve) => {
    // 'close' comes once the answer is sent, or when the client closes the socket
    // first (its fetch was aborted): then the work is dropped.
    response.once('close', () => {
      clearTimeout(timer);
      resolve({ path, outcome: response.writableFinished ? 'answered' : 'aborted' });
    });
  });
}
