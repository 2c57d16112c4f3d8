import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/** One page of the demo server: how long it takes, and what it answers. */
export interface Page {
  readonly delay: number;
  readonly status: number;
  readonly body: string;
}

/** How the server saw one request end: answered, or closed by the client first. */
export interface RequestRecord {
  readonly path: string;
  readonly outcome: 'served' | 'aborted';
  /** Milliseconds from the request's arrival to its end. */
  readonly after: number;
}

/** A running demo server and the record of what happened to each request. */
export interface DemoServer {
  /** `http://127.0.0.1:<port>`: the only address the demo ever fetches. */
  readonly origin: string;
  /**
   * Waits until every request received since the last call has ended, then says how
   * each ended, in the order they ended — the server's side of the story, so the demo can
   * prove that an abort reached the wire and not only a promise.
   */
  requests(): Promise<RequestRecord[]>;
  /** Stops the server and drops keep-alive connections, so the process can exit. */
  close(): Promise<void>;
}

/**
 * Starts a local HTTP server on 127.0.0.1 and a random port that answers each page
 * after its delay, like a slow backend — and stops working on a request as soon as
 * its client goes away, recording that it did.
 */
export async function startServer(pages: Readonly<Record<string, Page>>): Promise<DemoServer> {
  let running: Promise<void>[] = [];
  let ended: RequestRecord[] = [];
  const server = createServer((request, response) => {
    running.push(serve(pages, request, response).then((record) => void ended.push(record)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error(`expected a TCP address, got ${String(address)}`);
  }
  return {
    origin: `http://127.0.0.1:${address.port}`,
    async requests() {
      await Promise.all(running);
      running = [];
      const records = ended;
      ended = [];
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
  pages: Readonly<Record<string, Page>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<RequestRecord> {
  const arrived = performance.now();
  const path = request.url ?? '/';
  const page = pages[path] ?? { delay: 0, status: 404, body: `no page ${path}` };
  const timer = setTimeout(() => {
    response.writeHead(page.status, { 'content-type': 'text/plain' }).end(page.body);
  }, page.delay);
  return new Promise((resolve) => {
    // 'close' comes after the answer is sent, or when the client closes the socket
    // first (fetch aborted): then the work is abandoned, as a real server should.
    response.once('close', () => {
      clearTimeout(timer);
      const outcome = response.writableFinished ? 'served' : 'aborted';
      resolve({ path, outcome, after: performance.now() - arrived });
    });
  });
}
