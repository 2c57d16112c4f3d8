/** Reading an NDJSON body (one JSON value per line) lazily, as a stream's source. */

/**
 * The values of an NDJSON body, one per line, read as the bytes arrive. When a loop
 * over it is left — or `mapIterable` closes it — the `finally` cancels the body:
 * `fetch` closes the connection and the server stops sending.
 */
export async function* ndjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let partial = '';
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const lines = (partial + decoder.decode(read.value, { stream: true })).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') yield JSON.parse(line);
    }
    if (partial.trim() !== '') yield JSON.parse(partial);
  } finally {
    await reader.cancel(); // nothing to do once the body has ended; else closes it
  }
}
