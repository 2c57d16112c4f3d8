// What a user under `strict` writes; it must compile against dist/index.d.ts.
import {
  asCompleted,
  type CompletedEntry,
  first,
  type GatherOptions,
  gather,
  gatherSettled,
  isolate,
  TaskGroup,
} from 'p-gather';

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

const winner: number | string = await first([async () => 1, Promise.resolve('b')]);
const entries: (CompletedEntry<'one', number> | CompletedEntry<'two', string>)[] = [];
for await (const entry of asCompleted({ one: async () => 1, two: 'two' })) {
  if (entry.key === 'two' && entry.status === 'fulfilled') {
    const two: string = entry.value;
    void two;
  }
  entries.push(entry);
}
const group = new TaskGroup({ concurrency: 2, timeout: 1_000 });
const spawned: Promise<number> = group.spawn(async (signal) => (signal.aborted ? 0 : 1));
const joined: Promise<void> = group.join();
// Compiles whether or not the consumer loads the `esnext.disposable` lib.
const dispose: () => Promise<void> = () => group[Symbol.asyncDispose]();

export { count, dispose, entries, joined, keyed, label, safe, settled, spawned, winner };
