// `await using` as a user with the `esnext` lib writes it.
import { TaskGroup } from 'p-gather';

export async function crawl(): Promise<number> {
  await using group = new TaskGroup({ concurrency: 4 });
  const page = group.spawn(async (signal) => (signal.aborted ? 0 : 1));
  return page;
}
