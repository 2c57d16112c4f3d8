/**
 * The browser suite: the core behaviour tests, plus `test/browser/`, run in Debian's
 * Chromium driven by Playwright (`npm run test:browser`). `npm test` does not use
 * this file, so it stays runnable on a machine without Chromium.
 *
 * Playwright never downloads a browser here: it launches `/usr/bin/chromium`
 * (Debian's `chromium` package), and every request stays on localhost.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig, type Plugin } from 'vitest/config';

/** Debian's Chromium (`apt-get install chromium`). */
const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  throw new Error(
    `The browser suite runs Debian's Chromium, ${CHROMIUM}: apt-get install -y chromium`,
  );
}

/**
 * The core test files. Their few Node-only tests (`node:events`' `getEventListeners`,
 * `process` warnings, `node:vm` realms) skip themselves in a browser, where
 * `test/browser/realms` covers other realms with an iframe. Left out: `readme`
 * (reads and writes files) and `bad-input-matrix` (built on `node:vm` and
 * `node:events` throughout).
 */
const CORE_TESTS = [
  'gather',
  'gather-settled',
  'isolate',
  'abort-errors',
  'deadline',
  'thenables',
  'wait-for-cleanup',
  'concurrency',
  'shared-limit',
  'caller-signal',
  'collection',
  'odd-signals-and-inputs',
  'bad-input',
  'against-promise-all',
  'first',
  'as-completed',
  'task-group',
  'prototype-writes',
  'listener-cap',
  'with-timeout',
  'retry',
  'map',
  'map-settled',
  'map-iterable',
].map((name) => `test/${name}.test.ts`);

/** How long `/__pgather/log` waits for the state asked for before it answers anyway. */
const LOG_WAIT_MS = 5_000;

/** What the test server saw of one request to `/__pgather/slow`. */
type SlowRequestState = 'received' | 'completed' | 'aborted';

interface SlowRequest {
  state: SlowRequestState;
  /** Sends the response now, if the client is still waiting for it. */
  respond(): void;
  /** `/lines`: how many lines were sent so far. */
  sent?: number;
}

/**
 * A Vite plugin that serves the pages the fetch tests load, on the same origin as
 * the tests, and remembers what it saw of them:
 *
 * - `GET /__pgather/slow?id=ID&ms=N` answers `200 slow ID` after `N` ms (default
 *   30 s), or as soon as `/__pgather/release?id=ID` is requested. If the client
 *   goes away first (an aborted `fetch`), the request is recorded as `aborted`.
 * - `GET /__pgather/lines?id=ID&count=N&ms=M` streams `N` NDJSON lines
 *   (`{"n":0}` …), one every `M` ms (defaults 1000 and 20), then ends; if the client
 *   goes away first (a cancelled body), it stops and the request is `aborted`.
 * - `GET /__pgather/fail` answers `500`.
 * - `GET /__pgather/release?id=ID` makes the slow request `ID` answer now.
 * - `GET /__pgather/log?id=ID&until=received|settled` answers
 *   `{ "state": "received" | "completed" | "aborted" | "unknown", "sent"?: N }`
 *   for the slow (or lines) request `ID`, once it has reached that point (or after 5 s, whatever its state),
 *   so a test waits for the server instead of sleeping.
 */
function pgatherTestServer(): Plugin {
  const seen = new Map<string, SlowRequest>();
  const waiters = new Map<string, Set<() => void>>();

  function changed(id: string): void {
    for (const wake of waiters.get(id) ?? []) wake();
  }

  function reached(id: string, until: string): boolean {
    const state = seen.get(id)?.state;
    if (until === 'received') return state !== undefined;
    return state === 'completed' || state === 'aborted';
  }

  function send(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  }

  function slow(id: string, ms: number, res: ServerResponse): void {
    let responded = false;
    const request: SlowRequest = {
      state: 'received',
      respond() {
        if (responded) return;
        responded = true;
        clearTimeout(timer);
        request.state = 'completed';
        send(res, 200, `slow ${id}`);
        changed(id);
      },
    };
    const timer = setTimeout(() => request.respond(), ms);
    // 'close' before the response was sent: the client went away (an aborted fetch).
    res.on('close', () => {
      if (responded) return;
      responded = true;
      clearTimeout(timer);
      request.state = 'aborted';
      changed(id);
    });
    seen.set(id, request);
    changed(id);
  }

  function lines(id: string, count: number, ms: number, res: ServerResponse): void {
    let finished = false;
    const request: SlowRequest = {
      state: 'received',
      sent: 0,
      respond() {},
    };
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson');
    res.setHeader('Cache-Control', 'no-store');
    const timer = setInterval(() => {
      const sent = request.sent ?? 0;
      if (sent >= count) {
        finished = true;
        clearInterval(timer);
        request.state = 'completed';
        res.end();
        changed(id);
        return;
      }
      res.write(`${JSON.stringify({ n: sent })}\n`);
      request.sent = sent + 1;
    }, ms);
    // 'close' before the last line: the client cancelled the body.
    res.on('close', () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      request.state = 'aborted';
      changed(id);
    });
    seen.set(id, request);
    changed(id);
  }

  function log(id: string, until: string, res: ServerResponse): void {
    let listeners = waiters.get(id);
    if (listeners === undefined) {
      listeners = new Set();
      waiters.set(id, listeners);
    }
    const waiting = listeners;
    const stop = () => {
      clearTimeout(timer);
      waiting.delete(wake);
    };
    const answer = () => {
      stop();
      const request = seen.get(id);
      const state = request?.state ?? 'unknown';
      send(res, 200, JSON.stringify({ state, sent: request?.sent }), 'application/json');
    };
    const wake = () => {
      if (reached(id, until)) answer();
    };
    const timer = setTimeout(answer, LOG_WAIT_MS);
    waiting.add(wake);
    res.on('close', stop);
    wake();
  }

  return {
    name: 'p-gather-test-server',
    configureServer(server) {
      server.middlewares.use('/__pgather', (req: IncomingMessage, res: ServerResponse) => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const id = url.searchParams.get('id') ?? '';
        switch (url.pathname) {
          case '/slow':
            slow(id, Number(url.searchParams.get('ms') ?? 30_000), res);
            return;
          case '/lines':
            lines(
              id,
              Number(url.searchParams.get('count') ?? 1_000),
              Number(url.searchParams.get('ms') ?? 20),
              res,
            );
            return;
          case '/fail':
            send(res, 500, 'failed on purpose');
            return;
          case '/release':
            seen.get(id)?.respond();
            send(res, 204, '');
            return;
          case '/log':
            log(id, url.searchParams.get('until') ?? 'received', res);
            return;
          default:
            send(res, 404, `no test page at ${url.pathname}`);
        }
      });
    },
  };
}

export default defineConfig({
  plugins: [pgatherTestServer()],
  test: {
    include: [...CORE_TESTS, 'test/browser/**/*.test.ts'],
    setupFiles: ['test/support/fail-on-unhandled-rejection.ts'],
    restoreMocks: true,
    unstubGlobals: true,
    browser: {
      enabled: true,
      headless: true,
      // A picture of a failing test's page shows nothing here: the tests draw nothing.
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
