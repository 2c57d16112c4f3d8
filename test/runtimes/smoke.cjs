/**
 * Smoke test of the CommonJS build: `require()` of dist/index.cjs, then the same
 * checks as the ESM build (smoke-checks.mjs, loaded with `import()`).
 *
 *   node test/runtimes/smoke.cjs
 */
const lib = require('../../dist/index.cjs');

import('./smoke-checks.mjs').then(async ({ runSmokeChecks, runtimeName, setExitCode }) => {
  const runtime = runtimeName();
  console.log(`== CommonJS build (require of dist/index.cjs) under ${runtime}`);
  const names = Object.keys(lib).sort();
  const expected = [
    'TaskGroup',
    'asCompleted',
    'backoff',
    'first',
    'gather',
    'gatherSettled',
    'isolate',
    'map',
    'mapIterable',
    'mapSettled',
    'retry',
    'withTimeout',
  ];
  const exportsOk = JSON.stringify(names) === JSON.stringify(expected);
  console.log(
    `${exportsOk ? 'ok  ' : 'FAIL'} require() gives exactly ${expected.join(', ')}: got ${names.join(', ')}`,
  );
  const failed = await runSmokeChecks(lib);
  if (!exportsOk) failed.push('exports');
  console.log(
    failed.length === 0
      ? `${runtime} CommonJS: all smoke checks passed`
      : `${runtime} CommonJS: ${failed.length} smoke check(s) failed`,
  );
  setExitCode(failed.length === 0 ? 0 : 1);
});
