/**
 * Smoke test of the ESM build: `node smoke.mjs`, `bun smoke.mjs`,
 * `deno run --allow-read smoke.mjs`. Imports only relative files.
 */
import * as lib from '../../dist/index.js';
import { runSmokeChecks, runtimeName, setExitCode } from './smoke-checks.mjs';

const runtime = runtimeName();
console.log(`== ESM build (dist/index.js) under ${runtime}`);
const failed = await runSmokeChecks(lib);
console.log(
  failed.length === 0
    ? `${runtime} ESM: all smoke checks passed`
    : `${runtime} ESM: ${failed.length} smoke check(s) failed`,
);
setExitCode(failed.length === 0 ? 0 : 1);
