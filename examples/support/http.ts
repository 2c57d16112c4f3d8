/** Fetching from the examples' local server, as task functions do: with the task's signal. */

/** A non-2xx answer: a failure the task reports, never one it swallows. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;

  constructor(status: number, path: string, body: unknown) {
    super(`HTTP ${status} from ${path}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
  }
}

/**
 * Fetches `url` and parses its JSON body, handing the task's signal to `fetch`: an
 * abort then closes the request on the wire, not only the promise that waits for it.
 */
export async function fetchJson(url: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(url, signal === undefined ? {} : { signal });
  const body: unknown = await response.json();
  if (!response.ok) {
    const { pathname, search } = new URL(url);
    throw new HttpError(response.status, pathname + search, body);
  }
  return body;
}

/**
 * Fetches one page of `origin` as text, handing the task's signal to `fetch`.
 */
export async function fetchPage(
  origin: string,
  path: string,
  signal: AbortSignal,
): Promise<string> {
  const response = await fetch(new URL(path, origin), { signal });
  const body = await response.text();
  if (!response.ok) throw new HttpError(response.status, path, body);
  return body;
}

/**
 * A one-line account of why something failed: an abort by its name and, for a
 * failure, its message — what a log line would show.
 */
export function describeReason(reason: unknown): string {
  if (!(reason instanceof Error)) return String(reason);
  if (reason.name === 'AbortError' || reason.name === 'TimeoutError') return reason.name;
  return reason.message;
}
