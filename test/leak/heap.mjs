/**
 * SPEC gather 6 ("a long-lived signal reused by a million gathers holds no listeners
 * and no memory afterwards") and 7 (timers cleared): the heap after a full GC is
 * flat across 100,000 sequential calls and after calls of 1,000,000 tasks.
 *
 *   node --expose-gc test/leak/heap.mjs
 *
 * The bound, 2 MB of growth after GC, and why it is tight enough: anything a call
 * keeps is at least one small object — a Set entry in the signal's follower list
 * (≈ 40 B), a timer (≈ 150 B), a closure (≥ 32 B), a settled promise (≈ 40 B). Over
 * 100,000 calls even 32 B each is 3.2 MB; over 1,000,000 tasks, one retained array
 * slot each (8 B) is 8 MB. The measurement's own noise after a full GC (compiled
 * code, inline caches) is well under 1 MB once the same code has been warmed up.
 * A control run that keeps one empty object per call must exceed the bound, which
 * shows the method can see a leak of that size.
 */
import { asCompleted, gather, gatherSettled, isolate, TaskGroup } from '../../dist/index.js';
import { check, finish, heapAfterGc, mb, signedMb, since } from './support.mjs';

const BOUND = 2 * 1024 * 1024;
const failure = new Error('planned failure');

const sequentialKinds = [
  (signal) => gather([() => 1, async () => 2, Promise.resolve(3)], { signal }),
  (signal) => gather({ a: async () => 1, b: 2 }, { signal, timeout: 60_000 }),
  (signal) => gather([() => new Promise(() => {}), () => Promise.reject(failure)], { signal }),
  (signal) => gatherSettled([() => 1, () => Promise.reject(failure)], { signal, timeout: 60_000 }),
  (signal) => gather([async () => 1, async () => 2, async () => 3], { signal, concurrency: 2 }),
  (signal) =>
    gather([isolate(() => Promise.reject(failure)), (own) => gather([() => 1], { signal: own })], {
      signal,
      waitForCleanup: true,
    }),
  (signal) => gather(new Map([[1, async () => 1]]), { signal, timeout: 3_000_000_000 }),
  async (signal) => {
    let count = 0;
    for await (const _ of asCompleted([async () => 1, () => 2], { signal, timeout: 60_000 })) {
      count++;
    }
    return count;
  },
  (signal) => {
    const group = new TaskGroup({ signal, timeout: 60_000 });
    group.spawn(async () => 1);
    group.spawn(() => Promise.reject(failure));
    return group.join();
  },
];

/**
 * A long-lived group — a server's background work — that spawns `total` tasks in
 * waves and is never joined: it must hold nothing for the tasks that settled.
 */
async function longLivedGroup(group, total, wave) {
  let sum = 0;
  for (let done = 0; done < total; done += wave) {
    const spawned = new Array(wave);
    for (let index = 0; index < wave; index++) {
      spawned[index] = group.spawn(index % 2 === 0 ? async () => 1 : () => 1);
    }
    for (const value of await Promise.all(spawned)) sum += value;
  }
  return sum === total;
}

async function sequential(signal, count, keep) {
  let fulfilled = 0;
  for (let index = 0; index < count; index++) {
    const call = sequentialKinds[index % sequentialKinds.length](signal);
    keep?.push({});
    await call.then(
      () => {
        fulfilled++;
      },
      () => {},
    );
  }
  return fulfilled;
}

/** A call of `count` tasks; the input, the output and everything else is dropped on return. */
async function bigCall(count, kind) {
  const tasks = new Array(count);
  if (kind === 'gather, async task functions') {
    for (let index = 0; index < count; index++) tasks[index] = async () => index;
    const result = await gather(tasks);
    return result.length === count && result[count - 1] === count - 1;
  }
  if (kind === 'gather, concurrency 64') {
    for (let index = 0; index < count; index++) tasks[index] = async () => index;
    const result = await gather(tasks, { concurrency: 64, timeout: 60_000 });
    return result.length === count && result[count - 1] === count - 1;
  }
  for (let index = 0; index < count; index++) {
    tasks[index] = index % 2 === 0 ? () => index : () => Promise.reject(failure);
  }
  const result = await gatherSettled(tasks, { signal: new AbortController().signal });
  return result.length === count && result[count - 1].reason === failure;
}

async function main() {
  const { signal } = new AbortController();

  // Warm-up: compile and optimise every path measured below before the baseline.
  await sequential(signal, 7_000);
  for (const kind of [
    'gather, async task functions',
    'gather, concurrency 64',
    'gatherSettled, sync',
  ]) {
    await bigCall(10_000, kind);
  }

  const baseline = await heapAfterGc();
  console.log(`baseline heap after GC: ${mb(baseline)}`);

  let start = performance.now();
  const fulfilled = await sequential(signal, 100_000);
  const afterSequential = await heapAfterGc();
  check(
    afterSequential - baseline < BOUND,
    'heap after GC is flat across 100,000 sequential calls on one long-lived signal',
    `${mb(baseline)} → ${mb(afterSequential)} (${signedMb(afterSequential - baseline)}, ` +
      `${fulfilled} fulfilled; bound ${mb(BOUND)}); ${since(start)}`,
  );

  let previous = afterSequential;
  for (const kind of [
    'gather, async task functions',
    'gather, concurrency 64',
    'gatherSettled, sync',
  ]) {
    start = performance.now();
    const peakBefore = process.memoryUsage().heapUsed;
    const correct = await bigCall(1_000_000, kind);
    const peak = process.memoryUsage().heapUsed - peakBefore;
    const after = await heapAfterGc();
    check(
      correct && after - previous < BOUND,
      `heap after GC is flat after a 1,000,000-task call (${kind})`,
      `${mb(previous)} → ${mb(after)} (${signedMb(after - previous)}; ` +
        `before GC, just after it settled: ${signedMb(peak)}); ${since(start)}`,
    );
    previous = after;
  }
  const group = new TaskGroup({ signal, concurrency: 64 });
  await longLivedGroup(group, 10_000, 1_000);
  const beforeGroup = await heapAfterGc();
  start = performance.now();
  const groupCorrect = await longLivedGroup(group, 1_000_000, 1_000);
  const afterGroup = await heapAfterGc();
  check(
    groupCorrect && afterGroup - beforeGroup < BOUND,
    'heap after GC is flat after 1,000,000 tasks spawned in waves on one live TaskGroup',
    `${mb(beforeGroup)} → ${mb(afterGroup)} (${signedMb(afterGroup - beforeGroup)}); ${since(start)}`,
  );
  group.abort();
  await group.join().catch(() => {});

  // A group busy with a burst of 100,000 pending tasks, then idle and never joined.
  const idle = new TaskGroup();
  const beforeBurst = await heapAfterGc();
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  for (let index = 0; index < 100_000; index++) idle.spawn(() => gate);
  release();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const afterBurst = await heapAfterGc();
  check(
    afterBurst - beforeBurst < BOUND,
    'heap after GC is flat once a live TaskGroup that had 100,000 tasks pending is idle',
    `${mb(beforeBurst)} → ${mb(afterBurst)} (${signedMb(afterBurst - beforeBurst)})`,
  );
  idle.abort();

  // A group whose concurrency queue never empties: 3 pending at any time, 1e6 run.
  const busy = new TaskGroup({ concurrency: 1 });
  const beforeBusy = await heapAfterGc();
  let busyHeld = 0;
  await new Promise((resolve) => {
    let spawned = 0;
    const spawnOne = () => {
      spawned++;
      busy.spawn(async () => {
        await null;
        if (spawned < 1_000_000) spawnOne();
        else if (busyHeld === 0) {
          globalThis.gc();
          busyHeld = process.memoryUsage().heapUsed;
          resolve();
        }
      });
    };
    spawnOne();
    spawnOne();
    spawnOne();
  });
  check(
    busyHeld - beforeBusy < BOUND,
    'heap is flat while a TaskGroup with concurrency 1 runs 1,000,000 tasks, never idle',
    `${mb(beforeBusy)} → ${mb(busyHeld)} (${signedMb(busyHeld - beforeBusy)}), measured with 3 pending`,
  );
  await busy.join();

  // An asCompleted loop over 100 results of 0.5 MB each: what it has delivered is let go.
  const beforeLoop = await heapAfterGc();
  let loopHeld = 0;
  let taken = 0;
  const halfMegabyte = (index) =>
    new Promise((resolve) =>
      setTimeout(resolve, 1 + (index % 5), new Array(62_500).fill(index + 0.5)),
    );
  for await (const _ of asCompleted(
    Array.from({ length: 100 }, (_, index) => halfMegabyte(index)),
  )) {
    if (++taken === 100) loopHeld = await heapAfterGc();
  }
  check(
    loopHeld - beforeLoop < BOUND,
    'heap after GC stays flat in an asCompleted loop: the 50 MB of results already taken are collectable',
    `${mb(beforeLoop)} → ${mb(loopHeld)} (${signedMb(loopHeld - beforeLoop)}) at the last entry`,
  );

  check(
    previous - baseline < BOUND,
    'heap after GC is flat over the whole soak',
    `${mb(baseline)} → ${mb(previous)} (${signedMb(previous - baseline)})`,
  );

  // Control: the same 100,000 calls, keeping one empty object per call.
  const kept = [];
  const beforeControl = await heapAfterGc();
  await sequential(signal, 100_000, kept);
  const afterControl = await heapAfterGc();
  check(
    afterControl - beforeControl > BOUND,
    'control: keeping one empty object per call exceeds the bound (the method sees such a leak)',
    `${signedMb(afterControl - beforeControl)} for ${kept.length} objects kept`,
  );
  finish('heap');
}

await main();
