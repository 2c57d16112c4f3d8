// What a user under `strict` writes; it must compile against dist/index.d.ts.
import { type GatherOptions, gather, gatherSettled, isolate } from 'p-gather';

const options: GatherOptions = { timeout: 1_000, signal: null };
const [count, label]: [number, string] = await gather(
  [(signal) => (signal.aborted ? 0 : 1), Promise.resolve('a')],
  options,
);
const keyed: { user: string } = await gather({ user: async (signal) => String(signal.aborted) });
const settled: PromiseSettledResult<number>[] = await gatherSettled(new Set([() => 1]));
const safe: (signal?: AbortSignal) => Promise<number | null> = isolate(async () => 1, {
  fallback: null,
});

export { count, keyed, label, safe, settled };
