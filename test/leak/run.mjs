/**
 * The leak and soak suite: each script in its own `node --expose-gc` process (a
 * clean heap each), one after another, then a summary. Exit code 1 when any failed.
 *
 *   npm run build && node test/leak/run.mjs
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const scripts = [
  ['listeners', 'listeners.mjs', 'one listener per signal, none after 100k calls'],
  ['heap', 'heap.mjs', 'heap after GC flat: 100k sequential calls, 1e6-task calls'],
  ['timers', 'timers.mjs', 'a settled call never keeps the process alive'],
  ['wrappers', 'wrappers.mjs', 'withTimeout and retry: no listener, no timer after 100k'],
  [
    'streams',
    'streams.mjs',
    'streams: endless source flat, bounded pulls, no listener or timer left',
  ],
];

if (!existsSync(fileURLToPath(new URL('../../dist/index.js', import.meta.url)))) {
  console.error('dist/index.js is missing: run `npm run build` first');
  process.exit(1);
}

const summary = [];
const suiteStart = performance.now();
for (const [name, file, what] of scripts) {
  console.log(`\n== ${name}: ${what}`);
  const start = performance.now();
  const { status, signal } = spawnSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(new URL(file, import.meta.url))],
    { stdio: 'inherit', timeout: 60_000 },
  );
  const ms = Math.round(performance.now() - start);
  summary.push({
    name,
    passed: status === 0,
    detail: signal ? `killed (${signal})` : `exit ${status}`,
    ms,
  });
}

console.log('\n== leak suite');
for (const { name, passed, detail, ms } of summary) {
  console.log(
    `${passed ? 'ok  ' : 'FAIL'} ${name.padEnd(10)} ${String(ms).padStart(6)} ms  ${detail}`,
  );
}
console.log(`total ${Math.round(performance.now() - suiteStart)} ms`);
if (summary.some((entry) => !entry.passed)) process.exitCode = 1;
