/**
 * A probe, not a benchmark row: `gather` over 1e3 async task functions against
 * `Promise.all`, the two calls alternating one by one, a full GC before each —
 * so that neither runs in a block after its own previous call, as tinybench's
 * samples do. From one process to the next it varies by about ±0.05 on this
 * machine, where the bench's "after a full GC" row of the same build read 1.09×
 * to 1.63× (ARCHITECTURE.md, "After a full collection"): the tool for an A/B of
 * a change to the call.
 *
 *   node --expose-gc --import tsx bench/after-gc-probe.ts               both, alternating
 *   node --expose-gc --import tsx bench/after-gc-probe.ts --only=gather one contender alone
 *   node --expose-gc --import tsx bench/after-gc-probe.ts --no-gc       warm, for comparison
 *   P_GATHER_BUILD=/tmp/base/dist/index.js node --expose-gc --import tsx bench/after-gc-probe.ts
 *
 * Options: `--n=1000` tasks per call, `--calls=800` calls per contender (the
 * first 200 are dropped as warm-up). Run it several times per build.
 */
import {
  assertEnds,
  asyncTasks,
  distUrl,
  fullGc,
  gather,
  median,
  option,
  promiseAll,
} from './harness';

function count(name: string, fallback: number): number {
  const given = option(name);
  const value = given === undefined ? fallback : Number(given);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

const n = count('n', 1000);
const calls = count('calls', 800);
const warmUp = Math.min(200, calls >> 1);
const collect = !process.argv.includes('--no-gc');
const only = option('only');
if (only !== undefined && only !== 'gather' && only !== 'baseline') {
  throw new Error('--only is gather or baseline');
}

const fns = asyncTasks(n);
const contenders = [
  { name: 'gather', call: () => gather(fns), ms: [] as number[] },
  { name: 'Promise.all', call: () => promiseAll(fns), ms: [] as number[] },
].filter((contender) =>
  only === undefined ? true : (only === 'gather') === (contender.name === 'gather'),
);

fullGc(); // fails early without --expose-gc
for (let round = 0; round < calls; round++) {
  for (const contender of contenders) {
    if (collect) fullGc();
    const started = performance.now();
    const results = await contender.call();
    const ms = performance.now() - started;
    assertEnds(contender.name, results, n);
    if (round >= warmUp) contender.ms.push(ms);
  }
}

const perTask = contenders.map((contender) => (median(contender.ms) * 1e6) / n);
const described = contenders.map(
  (contender, index) => `${contender.name} ${perTask[index]?.toFixed(0)} ns/task`,
);
const ratio =
  perTask.length === 2
    ? `  ratio ${((perTask[0] as number) / (perTask[1] as number)).toFixed(2)}`
    : '';
console.log(
  `${described.join(', ')}${ratio}  (n=${n}, ${calls - warmUp} calls each, ${collect ? 'GC before each' : 'warm'}; ${distUrl})`,
);
