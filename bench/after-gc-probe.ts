/**
 * A probe, not a benchmark row: `gather` over 1e3 async task functions against
 * `Promise.all`, the calls alternating one by one, a full GC before each — so
 * that no call runs in a block after its own previous one, as tinybench's samples
 * do. Builds named on the command line are measured in the same process, the
 * order rotating every round, so that each meets the same machine and process:
 * the tool for an A/B of a change to the call (ARCHITECTURE.md, "After a full
 * collection"). A ratio varies by about ±0.03 from one process to
 * the next, where the bench's "after a full GC" row of one build read 1.09× to
 * 1.63× across processes.
 *
 *   node --expose-gc --import tsx bench/after-gc-probe.ts               this build (or P_GATHER_BUILD)
 *   node --expose-gc --import tsx bench/after-gc-probe.ts /tmp/base/dist/index.js dist/index.js
 *   node --expose-gc --import tsx bench/after-gc-probe.ts --only=gather one contender alone
 *   node --expose-gc --import tsx bench/after-gc-probe.ts --no-gc       warm, for comparison
 *
 * Options: `--n=1000` tasks per call, `--calls=800` calls per contender (the
 * first 200 are dropped as warm-up). Run it several times.
 */
import type * as PGather from '../src/index';
import {
  assertEnds,
  asyncTasks,
  buildUrl,
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

interface Contender {
  readonly name: string;
  readonly call: () => Promise<unknown>;
  readonly ms: number[];
}

const fns = asyncTasks(n);
const builds = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const gathers: Contender[] = [];
if (builds.length === 0) gathers.push({ name: 'gather', call: () => gather(fns), ms: [] });
for (const build of builds) {
  const other: typeof PGather = await import(buildUrl(build));
  gathers.push({ name: `gather ${build}`, call: () => other.gather(fns), ms: [] });
}
const baseline: Contender = { name: 'Promise.all', call: () => promiseAll(fns), ms: [] };
const contenders =
  only === 'gather' ? gathers : only === 'baseline' ? [baseline] : [baseline, ...gathers];

fullGc(); // fails early without --expose-gc
for (let round = 0; round < calls; round++) {
  for (let turn = 0; turn < contenders.length; turn++) {
    const contender = contenders[(round + turn) % contenders.length] as Contender;
    if (collect) fullGc();
    const started = performance.now();
    const results = await contender.call();
    const ms = performance.now() - started;
    assertEnds(contender.name, results, n);
    if (round >= warmUp) contender.ms.push(ms);
  }
}

const baselineMs = only === undefined ? median(baseline.ms) : undefined;
for (const contender of contenders) {
  const ms = median(contender.ms);
  const ratio =
    baselineMs === undefined || contender === baseline
      ? ''
      : `  ratio ${(ms / baselineMs).toFixed(3)}`;
  console.log(`${contender.name}: ${((ms * 1e6) / n).toFixed(0)} ns/task${ratio}`);
}
console.log(
  `(n=${n}, ${calls - warmUp} calls each, ${collect ? 'GC before each' : 'warm'}${builds.length === 0 ? `; ${distUrl}` : ''})`,
);
