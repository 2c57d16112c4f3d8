/**
 * `npm run bench`: builds, then measures the built package against its baselines
 * (SPEC › Performance) and prints one table. Every row is measured in the same
 * process and run as its baseline, and reported as medians.
 *
 *   npm run bench                    full run (a few minutes), writes bench/results.json
 *   npm run bench -- --quick         smoke run with small n (seconds), for CI
 *   npm run bench -- --only=nested   only the named groups (comma-separated)
 *   npm run bench -- --out=file.json write the JSON elsewhere
 *   npm run bench -- --gc-each-sample  a full GC before every sample of every group
 *   P_GATHER_BUILD=/tmp/base/dist/index.js npm run bench   measure another build
 *
 * Missed targets are marked MISS and never fail the run; a benchmark that throws
 * or gives a wrong result does (exit code 1).
 */
import os from 'node:os';
import path from 'node:path';
import { abortCases } from './cases/abort';
import { asCompletedCases } from './cases/as-completed';
import { concurrencyCases } from './cases/concurrency';
import { memoryCases } from './cases/memory';
import { nestedCases } from './cases/nested';
import { sharedLimitCases } from './cases/shared-limit';
import { smallCallCases } from './cases/small-call';
import { streamsCases } from './cases/streams';
import { taskGroupCases } from './cases/task-group';
import { asyncUnlimited, syncUnlimited } from './cases/unlimited';
import { wrapperCases } from './cases/wrappers';
import { type Config, createConfig, distUrl, fullGc, option, otherBuild } from './harness';
import { printTable, type Row, writeJson } from './report';

const groups: Record<string, (config: Config) => Promise<Row[]>> = {
  async: asyncUnlimited,
  sync: syncUnlimited,
  concurrency: concurrencyCases,
  'shared-limit': sharedLimitCases,
  'small-call': smallCallCases,
  nested: nestedCases,
  abort: abortCases,
  'as-completed': asCompletedCases,
  'task-group': taskGroupCases,
  memory: memoryCases,
  wrappers: wrapperCases,
  streams: streamsCases,
};

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const only = option('only')?.split(',');
  const unknown = only?.filter((name) => !(name in groups)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `Unknown group(s) ${unknown.join(', ')}; groups: ${Object.keys(groups).join(', ')}`,
    );
    return 1;
  }
  fullGc(); // fails early, with a clear message, without --expose-gc
  const config = createConfig(quick, process.argv.includes('--gc-each-sample'));
  const defaultOut = quick
    ? path.join(os.tmpdir(), 'p-gather-bench-quick.json')
    : new URL('results.json', import.meta.url).pathname;
  const out = option('out') ?? defaultOut;

  const startedAt = new Date();
  const started = performance.now();
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.error(
    `p-gather bench (${quick ? 'quick' : 'full'}${config.gcEachSample ? ', GC before each sample' : ''}): node ${process.version}, ${cpu}, ${os.cpus().length} cores, ${distUrl}`,
  );
  const rows: Row[] = [];
  const errors: string[] = [];
  for (const [name, run] of Object.entries(groups)) {
    if (only !== undefined && !only.includes(name)) continue;
    const groupStarted = performance.now();
    try {
      rows.push(...(await run(config)));
      console.error(`  ${name}: ${((performance.now() - groupStarted) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      errors.push(`${name}: ${message}`);
      console.error(`  ${name}: FAILED\n${message}`);
    }
  }
  const seconds = (performance.now() - started) / 1000;

  console.log();
  printTable(rows);
  const missed = rows.filter((r) => r.status === 'MISS');
  console.log();
  console.log(
    `${rows.filter((r) => r.status === 'PASS').length} PASS, ${missed.length} MISS` +
      `${missed.length > 0 ? ` (${missed.map((r) => `${r.case} ${r.n}`).join('; ')})` : ''}` +
      ` — ${seconds.toFixed(0)} s${quick ? ' (quick: small n, the numbers mean nothing)' : ''}`,
  );
  writeJson(out, {
    mode: quick ? 'quick' : 'full',
    build: otherBuild,
    startedAt,
    seconds,
    rows,
    errors,
  });
  console.log(`results: ${out}`);
  if (errors.length > 0) {
    console.error(`\n${errors.length} benchmark(s) failed:\n${errors.join('\n')}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
