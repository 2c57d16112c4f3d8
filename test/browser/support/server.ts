/**
 * The page side of the test server that `vitest.browser.config.ts` adds to Vite:
 * real `fetch`es to pages on the tests' own origin, and questions about what the
 * server saw of them.
 */

/** A response whose status was not 2xx, as a failure a task can reject with. */
export class HttpError extends Error {
  readonly status: number;

  constructor(url: string, status: number) {
    super(`GET ${url} answered ${status}`);
    this.name = 'HttpError';
    this.status = status;
  }
}

/** Fetches `url` with `signal` and resolves with its body, or rejects with an {@link HttpError}. */
export async function fetchText(url: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(url, signal === undefined ? {} : { signal });
  const body = await response.text();
  if (!response.ok) throw new HttpError(url, response.status);
  return body;
}

/** A new id for one slow request, so tests never read each other's log. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

/** The page that answers after `ms` milliseconds, or when {@link release}d. */
export function slowPage(id: string, ms = 30_000): string {
  return `/__pgather/slow?id=${id}&ms=${ms}`;
}

/** The page that answers `500`. */
export const FAILING_PAGE = '/__pgather/fail';

/** What the server saw of a slow request: still waiting, answered, or left by its client. */
export type ServerState = 'received' | 'completed' | 'aborted' | 'unknown';

/**
 * Waits until the server has received the slow request `id` (`'received'`) or has
 * finished with it (`'settled'`: answered or aborted by the client), and resolves
 * with its state then. The server answers anyway after 5 s, with whatever state the
 * request is in, so a test that expected more fails on its assertion, not a hang.
 */
export async function serverState(id: string, until: 'received' | 'settled'): Promise<ServerState> {
  const response = await fetch(`/__pgather/log?id=${id}&until=${until}`);
  const { state } = (await response.json()) as { state: ServerState };
  return state;
}

/** Makes the slow request `id` answer now. */
export async function release(id: string): Promise<void> {
  await fetch(`/__pgather/release?id=${id}`);
}
