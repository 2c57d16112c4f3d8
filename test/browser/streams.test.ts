/**
 * `mapIterable` over a real `fetch` body in a real browser: the source is a
 * `ReadableStream` of the NDJSON lines the test server streams slowly
 * (`/__pgather/lines`, see `vitest.browser.config.ts`); leaving the loop early
 * closes the source, which cancels the body, and the server sees the connection
 * go before it sent every line.
 *
 * Which protocol: Chromium's `ReadableStream` is async iterable (Chromium 124 and
 * later; the suite runs Debian's Chromium 156), so the stream itself is the source
 * and `mapIterable` calls its iterator's `return()`, which cancels it. On an older
 * browser without `ReadableStream.prototype[Symbol.asyncIterator]`, the test wraps
 * it in an async generator over `getReader()` whose `finally` (run by `return()`)
 * calls `reader.cancel()`; the first test says which one ran.
 */
import { describe, expect, it } from 'vitest';
import { mapIterable } from '../../src/index';
import { newRequestId } from './support/server';

const LINES = 1_000;
const nativelyIterable = Symbol.asyncIterator in ReadableStream.prototype;

/** Splits decoded text into lines, without the newline; a last line without one is kept. */
function lineSplitter(): TransformStream<string, string> {
  let rest = '';
  return new TransformStream<string, string>({
    transform(chunk, controller) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line !== '') controller.enqueue(line);
    },
    flush(controller) {
      if (rest !== '') controller.enqueue(rest);
    },
  });
}

/** The older-browser path: an async generator over a reader, cancelling it on return(). */
async function* readLines(stream: ReadableStream<string>): AsyncGenerator<string> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel();
  }
}

/** The lines of `/__pgather/lines?id=…` as a source: the stream, or the generator over it. */
async function linesOf(id: string): Promise<AsyncIterable<string>> {
  const response = await fetch(`/__pgather/lines?id=${id}&count=${LINES}&ms=10`);
  if (response.body === null) throw new Error('the response has no body');
  const stream = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
  return nativelyIterable ? (stream as unknown as AsyncIterable<string>) : readLines(stream);
}

/** What the server saw of the lines request `id`, once it has finished with it (or after 5 s). */
async function serverSaw(id: string): Promise<{ state: string; sent?: number }> {
  const response = await fetch(`/__pgather/log?id=${id}&until=settled`);
  return (await response.json()) as { state: string; sent?: number };
}

describe('mapIterable over a fetch body’s lines (a ReadableStream)', () => {
  it('uses the ReadableStream as it is: Chromium’s streams are async iterable', () => {
    expect(nativelyIterable).toBe(true);
  });

  it('leaving the loop early cancels the body: the server sees the connection closed before every line was sent', async () => {
    const id = newRequestId();
    const source = await linesOf(id);
    const seen: number[] = [];
    const aborted: string[] = [];
    for await (const n of mapIterable(
      source,
      async (line, signal) => {
        const { n } = JSON.parse(line) as { n: number };
        // Every other item is slow, and sees the loop's end as an AbortError.
        if (n % 2 === 1) {
          await new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted.push((signal.reason as DOMException).name);
              resolve();
            });
          });
        }
        return n;
      },
      { concurrency: 4, order: 'completion' },
    )) {
      seen.push(n);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([0, 2, 4]);
    expect(aborted.length).toBeGreaterThan(0);
    expect(aborted.every((name) => name === 'AbortError')).toBe(true);
    const saw = await serverSaw(id);
    expect(saw.state).toBe('aborted');
    expect(saw.sent).toBeLessThan(LINES);
  });

  it('reading to the end lets the server finish: the control', async () => {
    const id = newRequestId();
    const response = await fetch(`/__pgather/lines?id=${id}&count=20&ms=1`);
    if (response.body === null) throw new Error('the response has no body');
    const source = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
    const results: number[] = [];
    for await (const n of mapIterable(
      source as unknown as AsyncIterable<string>,
      async (line) => (JSON.parse(line) as { n: number }).n,
      { concurrency: 4 },
    )) {
      results.push(n);
    }
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await expect(serverSaw(id)).resolves.toMatchObject({ state: 'completed', sent: 20 });
  });
});
