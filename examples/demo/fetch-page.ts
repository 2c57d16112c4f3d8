/** A page answered with a non-2xx status: a failure the task reports, not swallows. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;

  constructor(status: number, path: string, body: string) {
    super(`HTTP ${status} from ${path}: ${body}`);
    this.status = status;
  }
}

/**
 * Fetches one page as text, handing the task's signal to `fetch`: an abort then
 * closes the request on the wire, not only the promise that waits for it.
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
